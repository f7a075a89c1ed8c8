import type { JsonValue } from "../base/json.js";
import type { CostVector } from "../cost/simulation.js";
import type { RunLimit, SharedMember } from "./search-engine.js";
import type { SearchRun } from "./search-plans.js";
import type { MutatorStats } from "./search-result.js";

/** What a search worker starts with (`workerData`). */
export interface SearchWorkerInit
  extends Pick<SearchRun, "pricing" | "devices" | "pins" | "seed" | "capacity" | "seeds"> {
  /** The run's program and cluster as JSON (structured clone drops class instances). */
  readonly program: JsonValue;
  readonly cluster: JsonValue;
  /** Wall-clock ms after which no further seed is evaluated (the first always is). */
  readonly deadline?: number;
}

/** Coordinator → worker. */
export type ToSearchWorker =
  | { readonly type: "epoch"; readonly limit: RunLimit; readonly incoming: readonly SharedMember[] }
  | { readonly type: "finish" };

/** Worker → coordinator. */
export type FromSearchWorker =
  | { readonly type: "ready" }
  | { readonly type: "progress"; readonly evaluations: number; readonly best?: CostVector }
  | {
      readonly type: "epoch-done";
      readonly joined: readonly SharedMember[];
      readonly evaluations: number;
      readonly mutators: readonly MutatorStats[];
    }
  | { readonly type: "failed"; readonly message: string; readonly code?: string };

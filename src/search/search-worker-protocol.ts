import type { JsonValue } from "../base/json.js";
import type { Pricing } from "../cost/context.js";
import type { CostVector } from "../cost/simulation.js";
import type { Pin } from "./pins.js";
import type { PlanChoice } from "./plan-choice.js";
import type { RunLimit, SharedMember } from "./search-engine.js";
import type { MutatorStats } from "./search-result.js";

/** What a search worker starts with (`workerData`). */
export interface SearchWorkerInit {
  readonly program: JsonValue;
  readonly cluster: JsonValue;
  readonly pricing: Pricing;
  readonly devices: readonly string[];
  readonly pins: readonly Pin[];
  readonly seed: number;
  readonly capacity: number;
  readonly seeds: readonly (readonly PlanChoice[])[];
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

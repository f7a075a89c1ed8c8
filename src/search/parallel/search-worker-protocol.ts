import type { JsonValue } from "../../base/json.js";
import type { CostVector } from "../../cost/simulation.js";
import type { RunLimit, SharedMember } from "../engine/search-engine.js";
import type { MutatorStats } from "../result/search-result.js";
import type { SearchRun } from "../search-run.js";

/**
 * What one search worker starts from, as plain JSON: the same wherever the worker runs (a
 * thread of this process, or a distributed worker process elsewhere).
 */
export interface SearchWorkerSetup
  extends Pick<SearchRun, "pricing" | "devices" | "pins" | "seed" | "capacity" | "starts"> {
  /** The run's program and cluster as JSON (structured clone drops class instances). */
  readonly program: JsonValue;
  readonly cluster: JsonValue;
  /** Wall-clock ms after which no further starting plan is evaluated (the first always is). */
  readonly deadline?: number;
}

/** What a search worker thread starts with (`workerData`). */
export interface SearchWorkerInit extends SearchWorkerSetup {
  /** One shared `Int32`, set to 1 when the run is aborted: the worker stops within one evaluation. */
  readonly stop: SharedArrayBuffer;
}

/** What one epoch of one search worker found and spent. */
export interface EpochReport {
  /** The plans that joined the worker's front in this epoch by its own search. */
  readonly joined: readonly SharedMember[];
  /** The worker's evaluations so far, all epochs. */
  readonly evaluations: number;
  readonly mutators: readonly MutatorStats[];
}

/** Coordinator → worker. */
export type ToSearchWorker =
  | { readonly type: "epoch"; readonly limit: RunLimit; readonly incoming: readonly SharedMember[] }
  | { readonly type: "finish" };

/** Worker → coordinator. */
export type FromSearchWorker =
  | { readonly type: "ready" }
  | { readonly type: "progress"; readonly evaluations: number; readonly best?: CostVector }
  | ({ readonly type: "epoch-done" } & EpochReport)
  | { readonly type: "failed"; readonly message: string; readonly code?: string };

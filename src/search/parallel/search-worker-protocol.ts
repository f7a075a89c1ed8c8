import type { JsonValue } from "../../base/json.js";
import type { Pricing } from "../../cost/context.js";
import type { CostVector } from "../../cost/simulation.js";
import type { Pin } from "../engine/pins.js";
import type { PlanChoice } from "../engine/plan-choice.js";
import type { RunLimit, SharedMember } from "../engine/search-engine.js";
import type { MutatorStats } from "../result/search-result.js";

/**
 * What one search worker starts from, as plain JSON: the same wherever the worker runs (a
 * thread of this process, or a distributed worker process elsewhere).
 */
export interface SearchWorkerSetup {
  // The run's fields a worker needs (as in `SearchRun`, which imports the pool: spelled out here
  // so that the protocol does not import the run back).
  readonly pricing: Pricing;
  readonly devices: readonly string[];
  readonly pins: readonly Pin[];
  readonly seed: number;
  readonly capacity: number;
  readonly starts: readonly (readonly PlanChoice[])[];
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
  /**
   * In the first report only: the costs of the setup's starting plans the worker evaluated, in
   * the setup's order (a prefix: a deadline may leave later ones out). The coordinator takes the
   * baselines' costs from them instead of simulating each plan a second time.
   */
  readonly startCosts?: readonly CostVector[];
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

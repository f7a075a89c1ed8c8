import type { CostVector } from "../../cost/simulation.js";
import type { RunLimit, SharedMember } from "../engine/search-engine.js";
import type { EpochReport, SearchWorkerSetup } from "./search-worker-protocol.js";

/**
 * Where the parallel search's workers run: threads of this process (`threadSearchPool`, the
 * default) or processes elsewhere (the distributed executor's workers, `tessera plan --redis`).
 * A pool only runs epochs; the coordinator (`runParallel`) merges what they find, so the same
 * seed, evaluation budget and worker count give the same front on every pool.
 */
export interface SearchPool {
  /**
   * Starts one search worker per setup and resolves once every one can take epochs.
   * `onProgress` hears a worker's evaluations within an epoch (a pool may stay silent until the
   * epoch ends); `stop` is set to 1 when the search is aborted.
   */
  open(
    setups: readonly SearchWorkerSetup[],
    stop: SharedArrayBuffer,
    onProgress: (worker: number, evaluations: number, best: CostVector | undefined) => void,
  ): Promise<SearchSession>;
}

/** The workers of one search on a pool. */
export interface SearchSession {
  /** Runs worker `worker`'s next epoch; rejects with a typed error when the worker fails. */
  epoch(worker: number, limit: RunLimit, incoming: readonly SharedMember[]): Promise<EpochReport>;
  /** Lets go of the workers (and whatever the pool keeps for the search). */
  close(): Promise<void>;
}

import type { Region } from "../../kernels/region.js";
import type { BackendName, BackendStats } from "../backend/kernel-backend.js";

/** What one worker thread did in a run. */
export interface ThreadReport {
  readonly thread: number;
  readonly devices: readonly string[];
  readonly tasks: number;
  /** Time spent assembling inputs, computing and storing outputs of its tasks. */
  readonly busyMs: number;
  /** The thread's kernel backend counters during this run (a warm executor's cached sessions count as hits). */
  readonly backend: BackendStats;
}

/**
 * Where a run's wall time went, as the coordinator saw it. Phases follow each other, so they
 * add up to `wallMs` (up to bookkeeping between them).
 */
export interface LocalRunPhases {
  /** Checking the run and deriving its task graph. */
  readonly prepareMs: number;
  /** Starting worker threads and opening their backends: `runLocal` only, 0 on an existing executor. */
  readonly startMs: number;
  /** Copying program-input regions for each device and posting them to the workers. */
  readonly loadMs: number;
  /** From the first task dispatched to the last task done (per-thread kernel time: `perThread[].busyMs`). */
  readonly computeMs: number;
  /** Fetching the program outputs from the devices holding them and assembling them. */
  readonly fetchMs: number;
  /** Ending the run in every worker: dropping its stores, collecting backend counters. */
  readonly endMs: number;
}

/** When one task ran, as the coordinator saw it: ms from the start of the compute phase. */
export interface TracedTask {
  readonly task: string;
  readonly device: string;
  /** Sent to its worker. */
  readonly dispatchedMs: number;
  /** Heard done. */
  readonly doneMs: number;
  /** The worker's busy time for it (assembling inputs, the kernel, storing the output). */
  readonly busyMs: number;
}

/** When one transfer moved, as the coordinator saw it: ms from the start of the compute phase. */
export interface TracedTransfer {
  readonly transfer: number;
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
  /** The sender was told to send. */
  readonly sentMs: number;
  /** The receiver reported it arrived. */
  readonly arrivedMs: number;
}

/** What happened when in the compute phase: a measured timeline to hold against the simulator's. */
export interface RunTrace {
  readonly tasks: readonly TracedTask[];
  readonly transfers: readonly TracedTransfer[];
}

/** Counters of a local run. */
export interface LocalRunStats {
  readonly wallMs: number;
  readonly phases: LocalRunPhases;
  readonly tasks: number;
  /** Bytes of transfers, counted by the receiving devices as they arrived. */
  readonly bytesMoved: number;
  /** Bytes of the task graph's derived transfers: always equal to `bytesMoved`. */
  readonly bytesDerived: number;
  readonly transfersMoved: number;
  /** Program-input bytes copied into the workers for this run (inputs kept by an earlier run, see `keepInputs`, are not). */
  readonly bytesLoaded: number;
  readonly perThread: readonly ThreadReport[];
  readonly backend: BackendName;
  /** Every task's and transfer's times in the compute phase. */
  readonly trace: RunTrace;
}

/** The program outputs of a local run, assembled from their final writers, and its counters. */
export interface LocalRunResult {
  readonly outputs: Record<string, Region>;
  readonly stats: LocalRunStats;
}

import type { Region } from "../../kernels/region.js";
import type { BackendName, KernelRunCounts } from "../backend/kernel-backend.js";
import type { LocalRunPhases, LocalRunStats } from "../local/run-result.js";

/** What one worker did in a distributed run. */
export interface WorkerReport {
  readonly worker: string;
  readonly host: string;
  readonly backend: BackendName;
  /** The plan devices it stood for when the run ended (a survivor takes over a lost worker's). */
  readonly devices: readonly string[];
  /** Tasks of the jobs it finished whose results the run used (a retried job counts once). */
  readonly tasks: number;
  /** Those jobs: each ran a chain of one or more tasks of a device (`maxChain`). */
  readonly jobs: number;
  /** Kernel and combine time of those jobs, inputs already in memory. */
  readonly busyMs: number;
  /** Kernel runs by kernel id: computed natively (ONNX) or by the reference implementation. */
  readonly kernels: Readonly<Record<string, KernelRunCounts>>;
}

/** Bytes through Redis, by what they were (the transfer part is the derived transfers, exactly). */
export interface RedisTraffic {
  /** Program inputs written by the coordinator, and read by workers. */
  readonly inputsWritten: number;
  readonly inputsRead: number;
  /** Transfer regions written by their producers (or the coordinator, for home-placed inputs). */
  readonly transfersWritten: number;
  /** Program-output blocks written by workers and read back by the coordinator. */
  readonly outputsWritten: number;
  /** Values split over several keys (larger than `chunkBytes`). */
  readonly chunkedValues: number;
}

/** Bytes over the direct data plane: program inputs the coordinator served to workers, output blocks they delivered to it. */
export interface DirectTraffic {
  readonly inputsServed: number;
  /** Of `inputsServed`, the bytes handed to workers on the coordinator's machine in shared memory (`sharedMemory`). */
  readonly inputsShared: number;
  readonly outputsReceived: number;
}

/** How a run coped with losing workers. */
export interface Recovery {
  /** Workers lost (killed, stopped, or stalled) and whose devices moved, in order. */
  readonly lost: readonly string[];
  /** Tasks run again because what they produced lived only in a lost worker's memory (or was in flight). */
  readonly tasksRedone: number;
}

/**
 * Counters of a distributed run: the local executor's (`bytesMoved` counted as receivers read
 * their transfers, equal to `bytesDerived`), with per-worker reports in place of per-thread
 * ones, the bytes through Redis, and what recovery did.
 */
export interface DistributedRunStats
  extends Omit<LocalRunStats, "perThread" | "backend" | "phases" | "trace"> {
  readonly phases: LocalRunPhases;
  /**
   * Program-input bytes workers took from the inputs they kept from an earlier run
   * (`keepInputs`) instead of reading them; `bytesLoaded` counts only what did move (served
   * over the direct data plane, or read from Redis).
   */
  readonly bytesKept: number;
  readonly run: string;
  readonly perWorker: readonly WorkerReport[];
  readonly redis: RedisTraffic;
  /** Zero with `dataPlane: "redis"`. */
  readonly direct: DirectTraffic;
  readonly recovery: Recovery;
}

/** The program outputs of a distributed run and its counters. */
export interface DistributedRunResult {
  readonly outputs: Record<string, Region>;
  readonly stats: DistributedRunStats;
}

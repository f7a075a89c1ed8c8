/**
 * The messages of the transfer probe: between the calibration's main thread and its probe
 * workers, and between neighbouring workers of the ring. Plain data, as the local executor's.
 */
import type { MessagePort } from "node:worker_threads";
import type { WireRegion } from "../local/region-wire.js";

/** What a probe worker starts with: its place in the ring and the ports to its neighbours. */
export interface ProbeWorkerInit {
  readonly index: number;
  /** The port to the next worker of the ring (it sends there). */
  readonly next: MessagePort;
  /** The port from the previous worker (it receives there). */
  readonly previous: MessagePort;
}

/** Main → worker: send `count` regions of `bytes` bytes to the next worker; expect as many from the previous one. */
export interface SendJob {
  readonly type: "send";
  readonly job: number;
  readonly bytes: number;
  readonly count: number;
  /** Whether this worker sends (all do for bandwidth; one does for latency). */
  readonly sends: boolean;
  /** How many pieces this worker must receive before reporting. */
  readonly receives: number;
}

/** Worker → main: every piece of `job` this worker expected has arrived (and been read). */
export interface JobArrived {
  readonly type: "arrived";
  readonly job: number;
  readonly index: number;
  /** A sum over what it read, so the reads are real work. */
  readonly checksum: number;
}

/** Worker → worker: one piece of a job, as the executor moves a region. */
export interface ProbePiece {
  readonly job: number;
  readonly region: WireRegion;
}

import { MessageChannel, Worker } from "node:worker_threads";
import { workerLaunch } from "../../base/worker-launch.js";
import { fastest } from "./fastest.js";
import type { JobArrived, ProbeWorkerInit, SendJob } from "./probe-messages.js";

/** How much the transfer probe measures. */
export interface TransferProbeOptions {
  /** Worker threads in the ring (≥ 2). */
  readonly workers: number;
  /** Round trips timed for the latency. */
  readonly latencyRounds: number;
  /** Bytes of one piece for the bandwidth (a multiple of 1 KiB), and pieces per link per repeat. */
  readonly bytes: number;
  readonly count: number;
  readonly repeats: number;
}

/** What the transfer probe measured: the link between two worker threads as the local executor uses it. */
export interface TransferProbe {
  readonly workers: number;
  /**
   * Seconds for a 4-byte piece, from the main thread ordering the send to it hearing that the
   * piece arrived (main → sender → receiver → main: the local executor's path for one
   * transfer), fastest of `latencyRounds`.
   */
  readonly latency: number;
  readonly latencyRounds: number;
  /**
   * Bytes per second per link with every worker sending `count` pieces of `bytes` to its ring
   * neighbour at once (so every port is busy, as in a busy run), latency taken off; fastest of `repeats`.
   */
  readonly bandwidth: number;
  readonly bytes: number;
  readonly count: number;
  readonly repeats: number;
}

/**
 * Measures transfers between worker threads: a ring of `workers` probe threads, each holding
 * a `MessagePort` to its next neighbour, moving regions the way the local executor's workers do
 * (see `transfer-probe-worker.ts`). Starts the threads, warms them up, measures, and ends them.
 */
export async function probeTransfers(options: TransferProbeOptions): Promise<TransferProbe> {
  const ring = startRing(options.workers);
  try {
    // Warm-up: thread start, module loading and the first compilations are not transfer costs.
    await ring.run(ring.all(1), 4, 1);
    for (let w = 0; w < 2; w++) await ring.run(ring.all(options.count), options.bytes, options.count);
    const rounds: number[] = [];
    for (let r = 0; r < options.latencyRounds; r++) {
      const started = performance.now();
      await ring.run(
        [
          { index: 0, sends: true, receives: 0 },
          { index: 1, sends: false, receives: 1 },
        ],
        4,
        1,
      );
      rounds.push((performance.now() - started) / 1000);
    }
    const latency = fastest(rounds);
    const times: number[] = [];
    for (let r = 0; r < options.repeats; r++) {
      const started = performance.now();
      await ring.run(ring.all(options.count), options.bytes, options.count);
      times.push((performance.now() - started) / 1000);
    }
    const seconds = fastest(times);
    return {
      workers: options.workers,
      latency,
      latencyRounds: options.latencyRounds,
      bandwidth: (options.bytes * options.count) / Math.max(seconds - latency, seconds / 2),
      bytes: options.bytes,
      count: options.count,
      repeats: options.repeats,
    };
  } finally {
    await ring.close();
  }
}

/** One worker's part in a job. */
interface Part {
  readonly index: number;
  readonly sends: boolean;
  readonly receives: number;
}

interface Ring {
  /** Every worker sending `count` pieces to its neighbour and receiving as many. */
  all(count: number): Part[];
  /** Runs one job and resolves when every worker in it has reported. */
  run(parts: readonly Part[], bytes: number, count: number): Promise<void>;
  close(): Promise<void>;
}

function startRing(n: number): Ring {
  const launch = workerLaunch(
    import.meta.url,
    "transfer-probe-worker",
    "exec/calibration/transfer-probe-worker.js",
  );
  const channels = Array.from({ length: n }, () => new MessageChannel());
  let failure: Error | undefined;
  let waiting:
    | { job: number; left: Set<number>; resolve: () => void; reject: (e: Error) => void }
    | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    waiting?.reject(failure);
  };
  const workers = channels.map((_, index) => {
    const next = channels[index]!.port1;
    const previous = channels[(index + n - 1) % n]!.port2;
    const init: ProbeWorkerInit = { index, next, previous };
    const worker = new Worker(launch.script, {
      eval: launch.eval,
      workerData: init,
      transferList: [next, previous],
    });
    worker.on("message", (m: JobArrived) => {
      if (waiting === undefined || m.job !== waiting.job) return;
      waiting.left.delete(m.index);
      if (waiting.left.size === 0) waiting.resolve();
    });
    worker.on("error", (e: Error) => fail(new Error(`transfer probe worker ${index} failed: ${e.message}`)));
    worker.on("exit", (code) => fail(new Error(`transfer probe worker ${index} exited with code ${code}`)));
    return worker;
  });
  let jobs = 0;
  let closing = false;
  return {
    all: (count) => workers.map((_, index) => ({ index, sends: true, receives: count })),
    run(parts, bytes, count) {
      if (failure !== undefined) return Promise.reject(failure);
      const job = jobs++;
      const done = new Promise<void>((resolve, reject) => {
        waiting = { job, left: new Set(parts.map((p) => p.index)), resolve, reject };
      });
      for (const p of parts) {
        const message: SendJob = { type: "send", job, bytes, count, sends: p.sends, receives: p.receives };
        workers[p.index]!.postMessage(message);
      }
      return done;
    },
    async close() {
      if (closing) return;
      closing = true;
      failure ??= new Error("the transfer probe is closed");
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

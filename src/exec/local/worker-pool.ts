import { MessageChannel, type MessagePort, type TransferListItem, Worker } from "node:worker_threads";
import type { TesseraError } from "../../base/errors.js";
import { FirstFailure } from "../../base/first-failure.js";
import { workerLaunch } from "../../base/worker-launch.js";
import type { BackendName, BackendStats } from "../backend/kernel-backend.js";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol.js";
import { workerCrashed } from "./run-errors.js";
import { tesseraErrorFromWire } from "./wire-error.js";

let live = 0;

/** Local-executor worker threads alive right now, for tests and diagnostics: 0 once every executor is closed. */
export function liveLocalWorkers(): number {
  return live;
}

/** Who hears what the workers say during a run: the run's coordinator. */
export interface PoolListener {
  /** A message from worker `thread`. */
  onMessage(thread: number, message: FromWorker): void;
  /** The `worker_crashed` error for `thread` dying with `cause` (while `during`, when known). */
  crashError(thread: number, cause: string, during?: string): TesseraError;
  /** The pool halted with `reason`: nothing more will come. */
  onHalt(reason: TesseraError): void;
}

/** What a pool is started with (options already checked). */
export interface PoolOptions {
  readonly threads: number;
  readonly backend: BackendName;
  /** Absolute paths of kernel declaration files. */
  readonly kernelFiles: readonly string[];
}

/**
 * The worker threads of a local executor, connected pairwise by message ports made once. It
 * routes worker messages to the current listener and watches for threads dying: a crash (an
 * exit, an uncaught error, a worker reporting a fault outside any task) halts the pool for
 * good, terminating every thread, and `halted` rejects with the crash's error.
 */
export class WorkerPool {
  /** Threads in the pool. */
  readonly threads: number;
  /** Workers ever started by this pool (always `threads`: a pool never replaces a thread). */
  readonly spawned: number;
  /** The first reason the pool halted for (a crash, or shutting down); later ones change nothing. */
  private readonly halting = new FirstFailure<TesseraError>();
  /** Rejects once the pool is halted (crashed or shut down), with the reason. */
  readonly halted = this.halting.failed;
  private readonly workers: Worker[] = [];
  private readonly ready: Promise<void>;
  private readonly closes = new Map<number, (stats: BackendStats) => void>();
  private listener: PoolListener | undefined;
  private crashed = false;
  private terminating: Promise<void> | undefined;

  private constructor(options: PoolOptions) {
    this.threads = options.threads;
    this.spawned = options.threads;
    let pending = options.threads;
    let allReady: () => void = () => {};
    this.ready = new Promise<void>((resolve) => {
      allReady = resolve;
    });
    this.spawn(options, () => {
      pending--;
      if (pending === 0) allReady();
    });
  }

  /**
   * Starts `options.threads` workers and resolves once every one has opened its backend.
   * Rejects (after terminating them all) with a worker's own error when one cannot start
   * (`backend_unavailable`, a bad kernel file), or `worker_crashed`.
   */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.race([pool.ready, pool.halted]);
    } catch (error) {
      await pool.terminate();
      throw error;
    }
    return pool;
  }

  /** The crash that halted this pool, if one did. */
  get crash(): TesseraError | undefined {
    return this.crashed ? this.halting.error : undefined;
  }

  /** Whether the pool is halted (crashed or shut down). */
  get isHalted(): boolean {
    return this.halting.error !== undefined;
  }

  /** Routes worker messages to `listener` from now on (`undefined`: nobody is listening). */
  listen(listener: PoolListener | undefined): void {
    this.listener = listener;
  }

  /** Posts `message` to worker `thread`. */
  post(thread: number, message: ToWorker, transferList: readonly TransferListItem[] = []): void {
    this.workers[thread]!.postMessage(message, transferList);
  }

  /**
   * Ends every thread, with `reason` as the pool's halt reason; when `graceful` and the pool is
   * healthy, first releases every worker's backend (native sessions) and waits for that.
   * Resolves once all threads have exited.
   */
  async shutdown(reason: TesseraError, graceful: boolean): Promise<void> {
    if (graceful && !this.isHalted) await Promise.race([this.closeBackends(), this.halted]).catch(() => {});
    this.halt(reason, false);
    await this.terminate();
  }

  /** Resolves once every thread has exited (after a halt). */
  terminated(): Promise<void> {
    return this.terminating ?? Promise.resolve();
  }

  private halt(reason: TesseraError, crashed: boolean): void {
    if (this.halting.error !== undefined) return;
    this.crashed = crashed;
    this.halting.fail(reason);
    this.listener?.onHalt(reason);
    void this.terminate();
  }

  private terminate(): Promise<void> {
    this.terminating ??= Promise.all(this.workers.map((w) => w.terminate())).then(() => {});
    return this.terminating;
  }

  private closeBackends(): Promise<BackendStats[]> {
    return Promise.all(
      this.workers.map((_, thread) => {
        const reply = new Promise<BackendStats>((resolve) => this.closes.set(thread, resolve));
        this.post(thread, { type: "close" });
        return reply;
      }),
    );
  }

  private spawn(options: PoolOptions, onReady: () => void): void {
    const launch = workerLaunch(import.meta.url, "worker", "exec/local/worker.js");
    const n = options.threads;
    const ports: (MessagePort | null)[][] = Array.from({ length: n }, () => Array(n).fill(null));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const { port1, port2 } = new MessageChannel();
        ports[i]![j] = port1;
        ports[j]![i] = port2;
      }
    }
    const started = Array(n).fill(false);
    for (let thread = 0; thread < n; thread++) {
      const peers = ports[thread]!;
      const init: WorkerInit = { thread, kernelFiles: options.kernelFiles, backend: options.backend, peers };
      const worker = new Worker(launch.script, {
        eval: launch.eval,
        workerData: init,
        transferList: peers.filter((p): p is MessagePort => p !== null),
      });
      live++;
      const crash = (cause: string, during?: string) => {
        const doing = started[thread] ? during : "starting";
        const error =
          this.listener?.crashError(thread, cause, doing) ??
          workerCrashed(thread, [], doing ?? "between runs", cause, null);
        this.halt(error, true);
      };
      worker.on("message", (m: FromWorker) => {
        switch (m.type) {
          case "ready":
            started[thread] = true;
            onReady();
            return;
          case "init-failed":
            this.halt(
              tesseraErrorFromWire(m.error) ?? workerCrashed(thread, [], "starting", m.error.message, null),
              true,
            );
            return;
          case "fault":
            crash(m.error.message, `handling '${m.during}'`);
            return;
          case "closed":
            this.closes.get(thread)?.(m.backend);
            this.closes.delete(thread);
            return;
          default:
            try {
              this.listener?.onMessage(thread, m);
            } catch (error: unknown) {
              // A coordinator bug must not leave a run waiting forever: treat it like a fault.
              crash(error instanceof Error ? error.message : String(error), `handling '${m.type}'`);
            }
        }
      });
      worker.on("error", (error: Error) => crash(`uncaught ${error.name}: ${error.message}`));
      worker.on("exit", (code) => {
        live--;
        if (this.halting.error === undefined) crash(`the thread exited with code ${code}`);
      });
      this.workers.push(worker);
    }
  }
}

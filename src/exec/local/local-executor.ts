import { availableParallelism } from "node:os";
import type { Region } from "../../kernels/region.js";
import type { Plan } from "../../plan/plan.js";
import { transferBytes } from "../../plan/task-graph.js";
import type { BackendName, BackendStats } from "../backend/kernel-backend.js";
import { checkBackend, checkThreads } from "./executor-options.js";
import { KeptInputs } from "./kept-inputs.js";
import { LocalExecution } from "./local-execution.js";
import { type LocalExecutorRunOptions, type PreparedRun, prepareRun } from "./prepare-run.js";
import { RecycledBuffers } from "./recycled-buffers.js";
import { executorBroken, executorClosed } from "./run-errors.js";
import type { LocalRunResult } from "./run-result.js";
import { mapDevicesToThreads } from "./thread-map.js";
import { loadWorkerKernels, type WorkerKernels } from "./worker-kernels.js";
import { WorkerPool } from "./worker-pool.js";

/** Options of `createLocalExecutor`. */
export interface LocalExecutorOptions {
  /** Worker threads to keep; default `os.availableParallelism()`. A plan with more devices shares them. */
  readonly threads?: number;
  /** How workers compute kernels; default `reference`. */
  readonly backend?: BackendName;
  /** Kernel declaration files workers load to rebuild a registry with declared kernels. */
  readonly kernelFiles?: readonly string[];
}

/** Counters of a local executor since it was created. */
export interface LocalExecutorStats {
  readonly threads: number;
  readonly backend: BackendName;
  /** Runs that produced outputs. */
  readonly runs: number;
  /** Runs that reached the workers and rejected (`task_failed`, `worker_crashed`). */
  readonly failedRuns: number;
  /** Worker threads started: always `threads`, however many runs there were. */
  readonly workersSpawned: number;
  /** Each thread's backend counters since it started, as of the end of its last run. */
  readonly perThread: readonly BackendStats[];
  /** True once a crashed worker has made the executor unusable. */
  readonly broken: boolean;
}

/**
 * A pool of local worker threads kept alive between runs, so that repeated runs pay for thread
 * start-up, backend loading and ONNX session creation once (sessions are cached by shape in
 * each worker and reused by later runs). Runs are serialized: a second `run` waits for the
 * first to finish. A run that fails with `task_failed` leaves the executor usable (its workers
 * finish what they were running and drop the run's data before the next run starts); a worker
 * that crashes (`worker_crashed`) breaks it: that run and every later one reject with
 * `worker_crashed` until a new executor is created. `close` when done.
 */
export interface LocalExecutor {
  readonly threads: number;
  readonly backend: BackendName;
  /**
   * Runs `plan` on the pool's threads (its devices dealt over them round-robin, as `runLocal`
   * does), with `inputs` copied into the workers for this run (or kept from an earlier one:
   * see `keepInputs`). Rejects like `runLocal`, and with `executor_closed` after `close`.
   */
  run(
    plan: Plan,
    inputs: Readonly<Record<string, Region>>,
    options?: LocalExecutorRunOptions,
  ): Promise<LocalRunResult>;
  /** Counters since creation: runs, workers spawned, each thread's backend counters. */
  stats(): LocalExecutorStats;
  /**
   * Refuses further runs, lets runs already asked for finish, then releases the backends and
   * ends every worker thread. Idempotent: every call returns the same promise.
   */
  close(): Promise<void>;
}

const NO_STATS: BackendStats = { sessionsCreated: 0, cacheHits: 0, sessionsEvicted: 0, kernels: {} };

/** What a pooled executor is started with (options already checked). */
export interface PooledExecutorOptions {
  readonly threads: number;
  readonly backend: BackendName;
  readonly kernels: WorkerKernels;
}

/** The local executor behind `createLocalExecutor` and `runLocal` (not exported from the layer). */
export class PooledExecutor implements LocalExecutor {
  readonly threads: number;
  readonly backend: BackendName;
  private readonly pool: WorkerPool;
  private readonly kernels: WorkerKernels;
  private readonly totals: BackendStats[];
  private readonly kept: KeptInputs;
  private readonly recycled = new RecycledBuffers();
  /** Where the next run starts: after every earlier run and the clean-up of a failed one. */
  private tail: Promise<void> = Promise.resolve();
  /** Settles once every run asked for so far has settled (clean-ups not included). */
  private settled: Promise<void> = Promise.resolve();
  private draining: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private nextRun = 0;
  private runs = 0;
  private failedRuns = 0;

  private constructor(pool: WorkerPool, options: PooledExecutorOptions) {
    this.pool = pool;
    this.threads = options.threads;
    this.backend = options.backend;
    this.kernels = options.kernels;
    this.totals = Array.from({ length: options.threads }, () => NO_STATS);
    this.kept = new KeptInputs(options.threads);
  }

  /** Starts the pool's threads and opens their backends. */
  static async start(options: PooledExecutorOptions): Promise<PooledExecutor> {
    const pool = await WorkerPool.start({
      threads: options.threads,
      backend: options.backend,
      kernelFiles: options.kernels.files,
    });
    return new PooledExecutor(pool, options);
  }

  /** See `LocalExecutor.run`. */
  async run(
    plan: Plan,
    inputs: Readonly<Record<string, Region>>,
    options: LocalExecutorRunOptions = {},
  ): Promise<LocalRunResult> {
    if (this.closing !== undefined) throw executorClosed();
    return this.execute(prepareRun(plan, inputs, options, this.kernels));
  }

  /** Queues a checked run; `startMs` is pool start-up time to report with it (`runLocal`). */
  execute(prepared: PreparedRun, startMs = 0): Promise<LocalRunResult> {
    const turn = this.tail.then(() => this.runNow(prepared, startMs));
    this.tail = turn.then(
      () => {},
      () => this.draining,
    );
    this.settled = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }

  /** See `LocalExecutor.stats`. */
  stats(): LocalExecutorStats {
    return {
      threads: this.threads,
      backend: this.backend,
      runs: this.runs,
      failedRuns: this.failedRuns,
      workersSpawned: this.pool.spawned,
      perThread: this.totals.slice(),
      broken: this.pool.crash !== undefined,
    };
  }

  /** See `LocalExecutor.close`. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.settled;
      // Releasing backends under a task still running would pull them from under it: only when idle.
      await this.pool.shutdown(executorClosed(), this.draining === undefined);
    })();
    return this.closing;
  }

  private async runNow(prepared: PreparedRun, startMs: number): Promise<LocalRunResult> {
    const crash = this.pool.crash;
    if (crash !== undefined) throw executorBroken(crash);
    const started = performance.now();
    const map = mapDevicesToThreads(prepared.plan.devices, this.threads);
    const execution = new LocalExecution({
      run: this.nextRun++,
      prepared,
      map,
      pool: this.pool,
      kept: this.kept,
      recycled: this.recycled,
    });
    this.pool.listen(execution);
    try {
      const report = await execution.run();
      this.pool.listen(undefined);
      this.runs++;
      report.totals.forEach((t, thread) => {
        this.totals[thread] = t;
      });
      return {
        outputs: report.outputs,
        stats: {
          wallMs: prepared.prepareMs + startMs + (performance.now() - started),
          phases: { prepareMs: prepared.prepareMs, startMs, ...report.phases },
          tasks: prepared.graph.tasks.length,
          bytesMoved: report.bytesMoved,
          bytesDerived: transferBytes(prepared.graph),
          transfersMoved: report.transfersMoved,
          bytesLoaded: report.bytesLoaded,
          perThread: report.threads,
          backend: this.backend,
          trace: report.trace,
        },
      };
    } catch (error) {
      this.failedRuns++;
      // Whatever a failed run left its workers keeping, the next run starts from nothing kept.
      this.kept.clear();
      if (this.pool.crash !== undefined) {
        // A broken pool holds no threads by the time its run rejects.
        this.pool.listen(undefined);
        await this.pool.terminated();
        throw error;
      }
      // The run rejects now; the next one waits until every worker has dropped this one.
      this.draining = execution
        .end()
        .then(
          (ended) =>
            ended.total.forEach((t, thread) => {
              this.totals[thread] = t;
            }),
          () => {},
        )
        .finally(() => {
          this.pool.listen(undefined);
          this.draining = undefined;
        });
      throw error;
    }
  }
}

/**
 * Starts a local executor: `threads` worker threads (default `os.availableParallelism()`),
 * each with its kernel backend open, kept until `close`. Refuses bad options with
 * `invalid_option` and a bad kernel file with its `ValidationError`, before any thread starts;
 * rejects with `backend_unavailable` when the ONNX backend cannot load.
 *
 * Example:
 * ```ts
 * const executor = await createLocalExecutor({ threads: 2, backend: "onnx" });
 * try {
 *   for (const plan of candidates) console.log((await executor.run(plan, inputs)).stats.wallMs);
 * } finally {
 *   await executor.close();
 * }
 * ```
 */
export async function createLocalExecutor(options: LocalExecutorOptions = {}): Promise<LocalExecutor> {
  const threads = checkThreads(options.threads ?? availableParallelism());
  const backend = checkBackend(options.backend ?? "reference");
  const kernels = loadWorkerKernels(options.kernelFiles ?? []);
  return PooledExecutor.start({ threads, backend, kernels });
}

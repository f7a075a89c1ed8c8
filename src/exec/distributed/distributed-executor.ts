import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { TesseraError } from "../../base/errors.js";
import type { Region } from "../../kernels/region.js";
import type { KernelRegistry } from "../../kernels/registry.js";
import type { Plan } from "../../plan/plan.js";
import { prepareRun } from "../local/prepare-run.js";
import { loadWorkerKernels, type WorkerKernels } from "../local/worker-kernels.js";
import {
  DistributedExecution,
  type DistributedSettings,
  distributedExecutorClosed,
} from "./distributed-execution.js";
import type { DistributedRunResult } from "./distributed-stats.js";
import { connectRedis } from "./distributed-worker.js";
import { InputKeep } from "./input-keep.js";
import type { DistributedFault } from "./job.js";
import { DEFAULT_REDIS_URL, parseRedisUrl } from "./redis-url.js";
import { DEFAULT_CHUNK_BYTES } from "./region-codec.js";
import { RegionServer } from "./region-server.js";
import { liveWorkers, type WorkerInfo } from "./worker-registry.js";

/** Options of `createDistributedExecutor` and `runDistributed`. */
export interface DistributedExecutorOptions {
  /** Redis URL; default `redis://127.0.0.1:6379`. */
  readonly redis?: string;
  /** Accept a non-loopback Redis without password or TLS (refused with `insecure_redis` otherwise). */
  readonly insecure?: boolean;
  /** Key prefix shared with the workers; default `tessera`. */
  readonly prefix?: string;
  /** Kernel declaration files the program may use (workers must be started with the same files). */
  readonly kernelFiles?: readonly string[];
  /** A run not done after this fails with `run_timeout`; default 1 hour. */
  readonly runTimeoutMs?: number;
  /** A task running longer fails the run with `kernel_timeout`; default 10 minutes. */
  readonly kernelTimeoutMs?: number;
  /** How long to wait for a worker when there is none (at the start, or after losing all); default 10 s. */
  readonly noWorkersGraceMs?: number;
  /** BullMQ job lock: a job whose worker stops renewing it this long is stalled; default 30 s. */
  readonly lockDurationMs?: number;
  /** How often the coordinator checks its queues for stalled jobs; default 5 s. */
  readonly stalledIntervalMs?: number;
  /** How often the coordinator checks worker heartbeats, timeouts and its state in Redis; default 500 ms. */
  readonly monitorMs?: number;
  /** Region values above this are split over several keys; default 8 MiB. */
  readonly chunkBytes?: number;
  /** Attempts of a job whose task throws (BullMQ retries, fixed backoff) before the run fails; default 2. */
  readonly attempts?: number;
  /** Delay between attempts; default 100 ms. */
  readonly backoffMs?: number;
  /**
   * Most tasks one job runs: a job takes a device's next tasks that read only from done tasks
   * and its own (`chainFrom`), one queue round trip for all. Default 64; 1 sends a job per task.
   */
  readonly maxChain?: number;
  /**
   * How program inputs reach workers and program outputs come back: `direct` (the coordinator
   * serves them over HTTP, `RegionServer`) or `redis` (through Redis, like transfers). Default
   * `direct`, except with a TLS Redis (`rediss://`), whose data stays on TLS.
   */
  readonly dataPlane?: "direct" | "redis";
  /**
   * On the direct data plane, hand program-input regions to workers on this machine through
   * files in shared memory (`/dev/shm`, readable by this user only) instead of over HTTP: two
   * memory copies instead of a socket's. Workers elsewhere, or where the machine has no
   * `/dev/shm`, read over HTTP as before. Default true.
   */
  readonly sharedMemory?: boolean;
  /**
   * The address workers reach the coordinator's data server at, and that it listens on; default
   * `127.0.0.1` with a loopback Redis, else this host's name (listening on every interface).
   */
  readonly dataHost?: string;
}

/** Options of one distributed run. */
export interface DistributedRunOptions {
  /** The registry the plan's program was validated with; default the built-ins plus `kernelFiles`. */
  readonly registry?: KernelRegistry;
  /** Called after each task completes, with tasks done and total (it can go down when a worker is lost). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Testing hook only: fail or hang one task on purpose (see `DistributedFault`). */
  readonly faultInjection?: DistributedFault;
  /**
   * Keep this run's program-input regions in the workers after it, and reuse those kept by an
   * earlier run of this executor with `keepInputs` when given the very same input values again
   * (the same region objects with the same data arrays, for the same device and box), instead
   * of sending them anew. Only for inputs whose values do not change in between: the executor
   * cannot see a change made in place. A run without it drops what was kept. A worker that
   * lacks a kept region (restarted, taking over a lost worker's devices, or over its
   * `--input-cache-mb` bound) reads it as usual. Default false: every run sends its inputs.
   */
  readonly keepInputs?: boolean;
}

/** A coordinator connected to Redis, running plans on the registered workers. */
export interface DistributedExecutor {
  /** The Redis URL, password masked. */
  readonly redis: string;
  /**
   * Runs `plan` on the workers registered now (devices dealt over them, see `assignDevices`):
   * the same outputs, transfers and counters as `runLocal`, plus per-worker figures. Several
   * runs (from one executor or many) may share Redis and the workers: each is namespaced by its
   * own run id, and its keys and queues are deleted when it ends, however it ends (for a run
   * that succeeded, right after its result: `close` waits for that).
   */
  run(
    plan: Plan,
    inputs: Readonly<Record<string, Region>>,
    options?: DistributedRunOptions,
  ): Promise<DistributedRunResult>;
  /** The workers registered now, by name. */
  workers(): Promise<WorkerInfo[]>;
  /** Waits for runs in progress and the cleanup of ended ones, tells workers to drop what they keep for it, then disconnects. Idempotent. */
  close(): Promise<void>;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) {
    throw new TesseraError("invalid_option", `${name} must be a positive number, found ${v}`, {
      option: name,
      found: String(v),
    });
  }
  return v;
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  const v: unknown = value ?? fallback;
  if (typeof v !== "boolean") {
    throw new TesseraError("invalid_option", `${name} must be true or false, found ${String(v)}`, {
      option: name,
      found: String(v),
    });
  }
  return v;
}

function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(prefix)) {
    throw new TesseraError(
      "invalid_option",
      `prefix must be 1 to 64 of A-Z a-z 0-9 _ -, found '${prefix.slice(0, 80)}'`,
      {
        option: "prefix",
        found: prefix.slice(0, 80),
      },
    );
  }
  return prefix;
}

/** The settings of `options`, checked (`invalid_option`, `invalid_redis_url`, `insecure_redis`). */
export function distributedSettings(options: DistributedExecutorOptions): DistributedSettings {
  const attempts = options.attempts ?? 2;
  if (!Number.isSafeInteger(attempts) || attempts < 1 || attempts > 100) {
    throw new TesseraError("invalid_option", `attempts must be an integer from 1 to 100, found ${attempts}`, {
      option: "attempts",
      found: String(attempts),
    });
  }
  const maxChain = options.maxChain ?? 64;
  if (!Number.isSafeInteger(maxChain) || maxChain < 1 || maxChain > 100_000) {
    throw new TesseraError(
      "invalid_option",
      `maxChain must be an integer from 1 to 100000, found ${maxChain}`,
      { option: "maxChain", found: String(maxChain) },
    );
  }
  const target = parseRedisUrl(options.redis ?? DEFAULT_REDIS_URL, options.insecure === true);
  const dataPlane = options.dataPlane ?? (target.tls ? "redis" : "direct");
  if (dataPlane !== "direct" && dataPlane !== "redis") {
    throw new TesseraError(
      "invalid_option",
      `dataPlane must be 'direct' or 'redis', found '${String(dataPlane)}'`,
      {
        option: "dataPlane",
        found: String(dataPlane),
      },
    );
  }
  return {
    target,
    prefix: checkPrefix(options.prefix ?? "tessera"),
    runTimeoutMs: positive("runTimeoutMs", options.runTimeoutMs, 3_600_000),
    kernelTimeoutMs: positive("kernelTimeoutMs", options.kernelTimeoutMs, 600_000),
    noWorkersGraceMs: positive("noWorkersGraceMs", options.noWorkersGraceMs, 10_000),
    lockDurationMs: positive("lockDurationMs", options.lockDurationMs, 30_000),
    stalledIntervalMs: positive("stalledIntervalMs", options.stalledIntervalMs, 5_000),
    monitorMs: positive("monitorMs", options.monitorMs, 500),
    chunkBytes: Math.floor(positive("chunkBytes", options.chunkBytes, DEFAULT_CHUNK_BYTES)),
    attempts,
    backoffMs: positive("backoffMs", options.backoffMs, 100),
    maxChain,
    dataPlane,
    sharedMemory: flag("sharedMemory", options.sharedMemory, true),
    dataHost: options.dataHost ?? (target.loopback ? "127.0.0.1" : hostname()),
    dataBind: options.dataHost ?? (target.loopback ? "127.0.0.1" : "0.0.0.0"),
  };
}

class Coordinator implements DistributedExecutor {
  readonly redis: string;
  /** Runs in progress and the cleanups of ended ones: `close` waits for them all. */
  private readonly runs = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;
  /** The data server, started by the first run that needs it and kept for the next. */
  private server: Promise<RegionServer> | undefined;
  private readonly keep: InputKeep;

  constructor(
    private readonly client: Redis,
    private readonly settings: DistributedSettings,
    private readonly kernels: WorkerKernels,
  ) {
    this.redis = settings.target.display;
    this.keep = new InputKeep(client, settings.prefix);
  }

  async run(
    plan: Plan,
    inputs: Readonly<Record<string, Region>>,
    options: DistributedRunOptions = {},
  ): Promise<DistributedRunResult> {
    if (this.closing !== undefined) throw distributedExecutorClosed();
    flag("keepInputs", options.keepInputs, false);
    const prepared = prepareRun(
      plan,
      inputs,
      {
        ...(options.registry === undefined ? {} : { registry: options.registry }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        ...(options.keepInputs === undefined ? {} : { keepInputs: options.keepInputs }),
      },
      this.kernels,
    );
    const fault = options.faultInjection ?? null;
    if (fault !== null && !prepared.graph.tasks.some((t) => t.id === fault.task)) {
      throw new TesseraError(
        "invalid_option",
        `faultInjection names '${fault.task}', which is not a task of the plan`,
        {
          option: "faultInjection",
          found: fault.task,
        },
      );
    }
    const id = randomUUID().replace(/-/g, "").slice(0, 16);
    const { dataPlane, dataBind, dataHost } = this.settings;
    if (dataPlane === "direct") {
      this.server ??= RegionServer.start(dataBind, dataHost, this.settings.sharedMemory).catch(
        (e: unknown) => {
          this.server = undefined;
          throw new TesseraError(
            "invalid_option",
            `cannot serve run data on ${dataBind} (dataHost): ${e instanceof Error ? e.message : String(e)}`,
            { option: "dataHost", found: dataBind },
          );
        },
      );
    }
    const server = dataPlane === "direct" ? await this.server : undefined;
    const execution = new DistributedExecution(
      this.client,
      this.settings,
      prepared,
      fault,
      id,
      this.keep,
      server,
    );
    const running = (async () => {
      try {
        const result = await execution.execute();
        const t = performance.now();
        await execution.end();
        const endMs = performance.now() - t;
        // The rest of the cleanup (closing the run's queues, deleting its keys: several round
        // trips, 5 to 50 ms of every run on the loaded 2-core test machine) changes nothing the
        // caller sees: it goes on after the result, and `close` waits for it.
        this.track(execution.cleanup().catch(() => {}));
        const { stats } = result;
        return {
          ...result,
          stats: { ...stats, wallMs: stats.wallMs + endMs, phases: { ...stats.phases, endMs } },
        };
      } catch (error) {
        await execution.cleanup().catch(() => {});
        throw error;
      }
    })();
    this.track(running);
    return running;
  }

  /** Keeps `work` in the set `close` waits for until it settles. */
  private track(work: Promise<unknown>): void {
    this.runs.add(work);
    const done = () => this.runs.delete(work);
    work.then(done, done);
  }

  workers(): Promise<WorkerInfo[]> {
    return liveWorkers(this.client, this.settings.prefix);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // A run that ends meanwhile adds its cleanup: wait for that too.
      while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
      // Workers drop what they kept for this executor: no later run of it can ask for it.
      await this.keep.close().catch(() => {});
      const server = await this.server?.catch(() => undefined);
      await server?.close();
      this.client.disconnect();
    })();
    return this.closing;
  }
}

/**
 * Connects a coordinator to Redis (`redis_unavailable` when it does not answer). Checks every
 * option first: `invalid_option`, `invalid_redis_url`, and `insecure_redis` for a non-loopback
 * Redis with neither password nor TLS unless `insecure`. `close` when done.
 *
 * Example:
 * ```ts
 * const executor = await createDistributedExecutor({ redis: "redis://127.0.0.1:6379" });
 * try {
 *   const { outputs, stats } = await executor.run(plan, inputs);
 * } finally {
 *   await executor.close();
 * }
 * ```
 */
export async function createDistributedExecutor(
  options: DistributedExecutorOptions = {},
): Promise<DistributedExecutor> {
  const settings = distributedSettings(options);
  const kernels = loadWorkerKernels(options.kernelFiles ?? []);
  const client = await connectRedis(settings.target);
  return new Coordinator(client, settings, kernels);
}

/**
 * Runs one plan on the distributed workers registered at `options.redis`: a one-shot
 * `createDistributedExecutor` → `run` → `close`. Rejects like the local executor for bad
 * inputs, with `task_failed` naming the shard and cause when a task keeps failing, and with
 * `no_workers`, `run_timeout`, `kernel_timeout`, `invalid_job` or `redis_unavailable`.
 */
export async function runDistributed(
  plan: Plan,
  inputs: Readonly<Record<string, Region>>,
  options: DistributedExecutorOptions & DistributedRunOptions = {},
): Promise<DistributedRunResult> {
  const executor = await createDistributedExecutor(options);
  try {
    return await executor.run(plan, inputs, options);
  } finally {
    await executor.close();
  }
}

import { hostname } from "node:os";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { DTYPE_BYTES, type DType, typedArrayOn } from "../../base/dtype.js";
import { TesseraError } from "../../base/errors.js";
import { decodeValidatedProgram } from "../../ir/decode-validated-program.js";
import { loadKernelDeclarationFile } from "../../kernels/declaration/load.js";
import { builtinRegistry } from "../../kernels/library/index.js";
import type { Region } from "../../kernels/region.js";
import { extendRegistry, type KernelRegistry } from "../../kernels/registry.js";
import { createEpochEngine, type EpochEngine } from "../../search/parallel/epoch-engine.js";
import type { SearchWorkerSetup } from "../../search/parallel/search-worker-protocol.js";
import type { ZRange } from "../../zspace/z-range.js";
import type { BackendName, KernelBackend, KernelRunCounts } from "../backend/kernel-backend.js";
import { backendStatsSince } from "../local/backend-stats-delta.js";
import { type PreparedOperation, prepareOperation, runCombine, runShard } from "../local/execute-task.js";
import { checkBackend, checkThreads } from "../local/executor-options.js";
import { openBackend } from "../local/open-backend.js";
import type { TaskOrder } from "../local/protocol.js";
import { RecycledBuffers } from "../local/recycled-buffers.js";
import { RegionStore } from "../local/region-store.js";
import { rangeFromWire } from "../local/region-wire.js";
import { errorToWire } from "../local/wire-error.js";
import { DEFAULT_INPUT_CACHE_BYTES, InputCache } from "./input-cache.js";
import { checkJobData, type JobData, type JobFailure, type JobResult, type JobStep } from "./job.js";
import { connectionOptions, parseRedisUrl, type RedisTarget } from "./redis-url.js";
import { type DataPlane, RegionClient } from "./region-client.js";
import { getRegion, putMany, regionBytes } from "./region-codec.js";
import { announceChannel, executorKey, RunKeys, runsKey, SearchKeys, searchesKey } from "./run-keys.js";
import { type RunMeta, readRunMeta, readRunWorkers } from "./run-meta.js";
import { checkSearchJobData, type SearchJobData, type SearchJobResult } from "./search-job.js";
import {
  deregisterWorker,
  registerWorker,
  renewWorker,
  WORKER_NAME,
  type WorkerInfo,
} from "./worker-registry.js";

/** Options of `startDistributedWorker` (`tessera worker`). */
export interface DistributedWorkerOptions {
  /** Redis URL; default `redis://127.0.0.1:6379`. */
  readonly redis?: string;
  /** Accept a non-loopback Redis without password or TLS. */
  readonly insecure?: boolean;
  /** Unique among live workers: `[A-Za-z0-9_-]{1,64}`; default `<host>-<pid>`. */
  readonly name?: string;
  /** Weight in the device assignment and ONNX intra-op threads; default 1. */
  readonly threads?: number;
  readonly backend?: BackendName;
  /** Kernel declaration files (the coordinator's program may use the kernels they declare). */
  readonly kernelFiles?: readonly string[];
  /** Key prefix shared with coordinators; default `tessera`. */
  readonly prefix?: string;
  /** How often the registration is renewed (it expires after 3 missed beats); default 1000 ms. */
  readonly heartbeatMs?: number;
  /** How often the worker looks for runs to join; default 200 ms. */
  readonly pollMs?: number;
  /**
   * Most bytes of program inputs kept between runs for coordinators that ask (`keepInputs`),
   * least recently used dropped first; 0 keeps nothing. Default 1 GiB.
   */
  readonly inputCacheBytes?: number;
  /** Where the worker says what it does (one line each); default nowhere. */
  readonly log?: (line: string) => void;
}

/** A running worker process's handle. */
export interface DistributedWorker {
  readonly name: string;
  readonly redis: string;
  /** Stops taking jobs, finishes the one in hand, deregisters and disconnects. Idempotent. */
  close(): Promise<void>;
}

/** What the worker holds for one run it takes part in. */
interface JoinedRun {
  readonly keys: RunKeys;
  readonly meta: RunMeta;
  /** Which admission of this worker to the run this is (`RunWorkers`); its queue is named by it. */
  readonly incarnation: number;
  readonly operations: ReadonlyMap<string, PreparedOperation>;
  readonly unknownKernels: ReadonlyMap<string, string>;
  readonly stores: Map<string, RegionStore>;
  /** Transfers each device has received: a transfer is read once per device, even when a larger one already covers it. */
  readonly received: Map<string, Set<number>>;
  /** Program-input reads (from the coordinator, Redis, or the inputs kept), by input number: each is read once. */
  readonly fetches: Map<number, Promise<Region | undefined>>;
  /** Jobs of the run in hand: the run's input buffers are recycled only when none is. */
  active: number;
  readonly bull: Worker<JobData, JobResult>;
}

/** What the worker holds for one distributed search: its queue of epochs and the engines of the search workers it ran. */
interface JoinedSearch {
  readonly keys: SearchKeys;
  readonly bull: Worker<SearchJobData, SearchJobResult>;
  setups: readonly SearchWorkerSetup[] | undefined;
  readonly engines: Map<number, EpochEngine>;
}

/** What a job's tasks add up to as they run (`runStep`). */
interface JobTally {
  busyMs: number;
  bytesRead: number;
  bytesKept: number;
  readonly transfersRead: number[];
  /** Each task's writes, settled: awaited when the job ends. */
  readonly writes: Promise<{ ok: true; bytes: number } | { ok: false; error: unknown }>[];
}

/** How long a search epoch runs between yields to the event loop (heartbeats and lock renewals must get through). */
const SLICE_MS = 50;

/** A failed job's reason (`JobFailure`): the error as plain data and the task of the chain it failed in. */
function failure(error: unknown, task: string | null): string {
  return JSON.stringify({ ...errorToWire(error), task } satisfies JobFailure);
}

/** An error BullMQ does not retry (retrying cannot help: a malformed job, a kernel timeout). */
function fail(error: unknown, task: string | null = null): UnrecoverableError {
  return new UnrecoverableError(failure(error, task));
}

function defaultName(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_-]/g, "_")
      .slice(0, 40) || "worker";
  return `${host}-${process.pid}`;
}

function checkName(name: string): string {
  if (!WORKER_NAME.test(name)) {
    throw new TesseraError(
      "invalid_option",
      `worker name must be 1 to 64 of A-Z a-z 0-9 _ -, found '${name.slice(0, 80)}'`,
      { option: "name", found: name.slice(0, 80) },
    );
  }
  return name;
}

/**
 * One process's worker of the distributed executor. It registers itself, looks for runs that
 * name it, and for each consumes its own BullMQ queue of that run one job at a time: reads
 * the job's regions from Redis (or its cache of the device's data), runs the task with the
 * same code as a local worker thread, writes the regions other devices and the coordinator
 * need, and returns its counters. A job that fails validation, or whose task throws, fails
 * with the error as JSON (the coordinator turns it into a typed error of the run); nothing a
 * job contains can crash the worker.
 */
class WorkerProcess implements DistributedWorker {
  readonly name: string;
  readonly redis: string;
  private readonly target: RedisTarget;
  private readonly prefix: string;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private readonly client: Redis;
  private readonly registry: KernelRegistry;
  private readonly backend: KernelBackend;
  private readonly info: WorkerInfo;
  private readonly log: (line: string) => void;
  private readonly runs = new Map<string, JoinedRun>();
  private readonly searches = new Map<string, JoinedSearch>();
  private readonly data = new RegionClient();
  /** Input buffers of ended runs, for the next run's inputs to be read into (see `RecycledBuffers`). */
  private readonly recycled = new RecycledBuffers();
  /** Program inputs kept between runs for the coordinators that ask (`RunKeep`). */
  private readonly cache: InputCache;
  private polling = false;
  /** A look for runs was asked for while one was under way: look again right after it. */
  private again = false;
  /** Subscribed to the coordinators' announcements (`announceChannel`). */
  private subscriber: Redis | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    setup: {
      target: RedisTarget;
      prefix: string;
      heartbeatMs: number;
      pollMs: number;
      client: Redis;
      registry: KernelRegistry;
      backend: KernelBackend;
      info: WorkerInfo;
      inputCacheBytes: number;
    },
    log: (line: string) => void,
  ) {
    this.name = setup.info.name;
    this.redis = setup.target.display;
    this.target = setup.target;
    this.prefix = setup.prefix;
    this.heartbeatMs = setup.heartbeatMs;
    this.pollMs = setup.pollMs;
    this.client = setup.client;
    this.registry = setup.registry;
    this.backend = setup.backend;
    this.info = setup.info;
    this.log = log;
    this.cache = new InputCache(setup.inputCacheBytes);
  }

  /** Starts the heartbeat and the search for runs: every `pollMs`, and at once when a coordinator announces a change. */
  start(): void {
    const subscriber = this.client.duplicate();
    subscriber.on("error", () => {});
    subscriber.on("message", () => this.look());
    // A worker that misses announcements (not subscribed yet, or reconnecting) still polls.
    subscriber.subscribe(announceChannel(this.prefix)).catch(() => {});
    this.subscriber = subscriber;
    this.timers.push(
      setInterval(() => {
        renewWorker(this.client, this.prefix, this.info, this.heartbeatMs).catch(() => {});
      }, this.heartbeatMs),
      setInterval(() => this.look(), this.pollMs),
    );
  }

  private look(): void {
    this.poll().catch((e: unknown) => this.log(`looking for runs failed: ${String(e)}`));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      this.subscriber?.disconnect();
      // Not forced: the job in hand finishes (its result reaches Redis) before the worker leaves.
      await Promise.all([...this.runs.values(), ...this.searches.values()].map((r) => r.bull.close()));
      this.runs.clear();
      this.searches.clear();
      await deregisterWorker(this.client, this.prefix, this.name).catch(() => {});
      this.data.close();
      this.cache.clear();
      await this.backend.dispose();
      this.client.disconnect();
      this.log(`worker ${this.name} stopped`);
    })();
    return this.closing;
  }

  /**
   * One look for runs at a time: a look that takes longer than `pollMs` (a loaded machine, a
   * slow or restarting Redis) must not overlap the next, or both would join the same run and
   * consume its queue with two separate stores, so a task could run where its device's data
   * is not.
   */
  private async poll(): Promise<void> {
    if (this.closing !== undefined) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.again = false;
        await this.lookForRuns();
        await this.lookForSearches();
        await this.dropStaleInputs();
      } while (this.again && this.closing === undefined);
    } finally {
      this.polling = false;
    }
  }

  private async lookForRuns(): Promise<void> {
    const active = new Set(await this.client.smembers(runsKey(this.prefix)));
    for (const [id, run] of this.runs) {
      const workers = active.has(id) ? await readRunWorkers(this.client, run.keys) : undefined;
      if (workers !== undefined && workers[this.name] === run.incarnation) continue;
      // Ended, or the coordinator dropped this worker (it thought it lost): nothing held stays.
      this.runs.delete(id);
      this.log(workers === undefined ? `run ${id} ended` : `left run ${id}`);
      await run.bull.close(true);
      if (run.active === 0) await this.recycle(run);
    }
    for (const id of active) {
      if (this.closing !== undefined) return;
      if (this.runs.has(id) || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) continue;
      const keys = new RunKeys(this.prefix, id);
      // The worker list first: the meta holds the whole program, read only by workers taking part.
      if ((await readRunWorkers(this.client, keys))?.[this.name] === undefined) continue;
      const found = await readRunMeta(this.client, keys);
      const incarnation = found?.workers[this.name];
      if (found === undefined || incarnation === undefined || this.runs.has(id)) continue;
      this.join(keys, found.meta, incarnation);
    }
  }

  /**
   * Drops the inputs kept for coordinators that are gone (closed, or dead: their key expired)
   * or whose keep generation changed (a run without `keepInputs`), even when this worker took
   * no part in the run that changed it. One round trip, and none while nothing is kept.
   */
  private async dropStaleInputs(): Promise<void> {
    const held = [...this.cache.executors().keys()];
    if (held.length === 0) return;
    const values = await this.client.mget(held.map((id) => executorKey(this.prefix, id)));
    held.forEach((id, k) => {
      const v = values[k];
      const gone = v === null || v === undefined;
      const dropped = this.cache.dropStale(id, gone ? null : Number(v));
      if (dropped.regions > 0) {
        const why = gone ? "it closed or is gone" : "a run of it kept nothing";
        this.log(
          `dropped the inputs kept for executor ${id} (${dropped.regions} regions, ${dropped.bytes} bytes): ${why}`,
        );
      }
    });
  }

  /** Takes part in every search in progress: its own queue of each gets the epochs dealt to it. */
  private async lookForSearches(): Promise<void> {
    const active = new Set(await this.client.smembers(searchesKey(this.prefix)));
    for (const [id, search] of this.searches) {
      if (active.has(id)) continue;
      this.searches.delete(id);
      await search.bull.close(true);
    }
    for (const id of active) {
      if (this.closing !== undefined) return;
      if (this.searches.has(id) || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) continue;
      const keys = new SearchKeys(this.prefix, id);
      const lock = Number(await this.client.hget(keys.meta, "lockDurationMs"));
      if (!Number.isSafeInteger(lock) || lock <= 0) continue;
      const search: JoinedSearch = {
        keys,
        setups: undefined,
        engines: new Map(),
        bull: new Worker<SearchJobData, SearchJobResult>(
          keys.queue(this.name),
          (job) => this.epoch(search, job),
          {
            connection: connectionOptions(this.target),
            prefix: this.prefix,
            concurrency: 1,
            lockDuration: lock,
            skipStalledCheck: true,
            drainDelay: 1,
          },
        ),
      };
      search.bull.on("error", (e) => this.log(`queue of search ${id}: ${e.message}`));
      this.searches.set(id, search);
    }
  }

  /**
   * Runs one epoch of a search worker: on the engine kept from its previous epoch when this
   * process ran it, else on a new engine that replays the earlier epochs first (the same engine
   * by construction: an engine depends on its setup and epochs alone).
   */
  private async epoch(
    search: JoinedSearch,
    job: Job<SearchJobData, SearchJobResult>,
  ): Promise<SearchJobResult> {
    const id = search.keys.search;
    let data: SearchJobData;
    try {
      data = checkSearchJobData(job.data, id, String(job.id));
    } catch (error) {
      throw fail(error);
    }
    if (search.setups === undefined) {
      const text = await this.client.hget(search.keys.meta, "setups");
      if (text === null) {
        throw fail(
          new TesseraError("redis_unavailable", `Redis no longer holds search ${id}'s setups`, {
            search: id,
          }),
        );
      }
      search.setups = JSON.parse(text) as SearchWorkerSetup[];
    }
    const setup = search.setups[data.worker];
    if (setup === undefined) {
      throw fail(
        new TesseraError(
          "invalid_job",
          `job ${String(job.id)} names search worker ${data.worker}, which search ${id} has not`,
          {
            search: id,
            worker: data.worker,
          },
        ),
      );
    }
    try {
      const last = data.epochs.length - 1;
      let engine = search.engines.get(data.worker);
      if (engine === undefined || engine.epochs !== last) {
        engine = createEpochEngine(setup, () => false);
        for (const e of data.epochs.slice(0, last))
          await engine.runEpochInSlices(e.limit, e.incoming, SLICE_MS);
        search.engines.set(data.worker, engine);
      }
      const { limit, incoming } = data.epochs[last]!;
      return await engine.runEpochInSlices(limit, incoming, SLICE_MS);
    } catch (error) {
      search.engines.delete(data.worker);
      throw fail(error);
    }
  }

  private join(keys: RunKeys, meta: RunMeta, incarnation: number): void {
    const program = decodeValidatedProgram(meta.program);
    // What the run's executor kept here and this run does not reuse will not be asked for again.
    const keep = meta.keep ?? null;
    if (keep !== null) this.cache.retain(keep.executor, keep.keys === null ? null : new Set(keep.keys));
    const operations = new Map<string, PreparedOperation>();
    const unknownKernels = new Map<string, string>();
    for (const op of program.operations) {
      const def = this.registry.get(op.kernel);
      if (def === undefined) unknownKernels.set(op.id, op.kernel);
      else operations.set(op.id, prepareOperation(op, def));
    }
    const run: JoinedRun = {
      keys,
      meta,
      incarnation,
      operations,
      unknownKernels,
      stores: new Map(),
      received: new Map(),
      fetches: new Map(),
      active: 0,
      bull: new Worker<JobData, JobResult>(
        keys.queue(this.name, incarnation),
        (job) => this.process(run, job),
        {
          // The worker's own client, kept across runs: joining a run opens only BullMQ's
          // blocking connection, without loading its scripts again.
          connection: this.client,
          prefix: this.prefix,
          concurrency: 1,
          lockDuration: meta.lockDurationMs,
          // The coordinator checks its queues for stalled jobs (it must: a dead worker cannot).
          skipStalledCheck: true,
          drainDelay: 1,
        },
      ),
    };
    run.bull.on("error", (e) => this.log(`queue of run ${keys.run}: ${e.message}`));
    this.runs.set(keys.run, run);
    this.readAhead(run);
    this.log(incarnation === 0 ? `joined run ${keys.run}` : `joined run ${keys.run} again (${incarnation})`);
  }

  /**
   * Starts reading the direct data plane's inputs of the devices the run dealt this worker when
   * it began, while its jobs are on their way (announcement, dispatch and pickup take a few
   * milliseconds a run). The jobs' own reads find them under way (`readInput` reads each once
   * per run); loads this worker kept are left to the jobs, which take and count them. Only on
   * first joining: after being dropped and admitted again its devices may have moved.
   */
  private readAhead(run: JoinedRun): void {
    const plane = run.meta.data ?? null;
    if (plane === null || run.incarnation !== 0) return;
    const keys = run.meta.keep?.keys ?? null;
    const ahead: JobTally = { busyMs: 0, bytesRead: 0, bytesKept: 0, transfersRead: [], writes: [] };
    for (const load of plane.loads) {
      if (load.worker !== this.name) continue;
      const range = rangeFromWire(load.range);
      const key = keys?.[load.n];
      if (key !== undefined && this.cache.get(key, load.dtype, range) !== undefined) continue;
      // A failed read is read again by the job that needs it.
      this.readInput(run, load.n, load.dtype, range, ahead).catch(() => {});
    }
  }

  private store(run: JoinedRun, device: string): RegionStore {
    let s = run.stores.get(device);
    if (s === undefined) {
      s = new RegionStore();
      run.stores.set(device, s);
    }
    return s;
  }

  /**
   * Gives the input buffers of a run let go of back for the next run's reads: pages already
   * mapped take a copy several times faster than a new allocation. Only when no job of the run
   * is in hand (a late job still reading them must not see another run's values), and keeping
   * at most one run's worth.
   */
  private async recycle(run: JoinedRun): Promise<void> {
    // Only buffers of the direct data plane's reads (each one of its own), and none kept for later
    // runs. A run that read none (through Redis, or all kept) leaves the last ones for the next:
    // a worker serving several coordinators would otherwise read into fresh pages after each.
    if ((run.meta.data ?? null) === null) return;
    const keys = run.meta.keep?.keys ?? null;
    const reads = [...run.fetches].filter(([n]) => keys?.[n] === undefined).map(([, f]) => f);
    if (reads.length === 0) return;
    const regions = await Promise.all(reads.map((f) => f.catch(() => undefined)));
    this.recycled.clear();
    this.recycled.give(
      regions.filter((r): r is Region => r !== undefined).map((r) => r.data.buffer as ArrayBuffer),
    );
  }

  private async process(run: JoinedRun, job: Job<JobData, JobResult>): Promise<JobResult> {
    run.active++;
    try {
      return await this.processJob(run, job);
    } finally {
      run.active--;
    }
  }

  private async processJob(run: JoinedRun, job: Job<JobData, JobResult>): Promise<JobResult> {
    let data: JobData;
    try {
      data = checkJobData(job.data, run.keys.run, String(job.id));
    } catch (error) {
      throw fail(error);
    }
    for (const { order } of data.steps) {
      const kernel = run.unknownKernels.get(order.op);
      if (kernel !== undefined) {
        throw fail(
          new TesseraError(
            "unknown_kernel",
            `worker ${this.name} does not know kernel '${kernel}' (start it with that kernel's --kernels file)`,
            { op: order.op, kernel },
          ),
          order.id,
        );
      }
    }
    const tally: JobTally = { busyMs: 0, bytesRead: 0, bytesKept: 0, transfersRead: [], writes: [] };
    const plane = run.meta.data ?? null;
    if (plane !== null) {
      // Every input of the job's devices before its first kernel: ONNX Runtime runs a kernel on
      // this thread, so a read still under way would stall behind it (and the kernels after it
      // would wait for the rest). Read at once, they arrive at the plane's full speed.
      const devices = [...new Set(data.steps.map((s) => s.order.device))];
      await Promise.all(devices.map((d) => this.prefetch(run, plane, d, this.store(run, d), tally)));
    }
    const before = this.backend.stats();
    for (const [k, step] of data.steps.entries()) {
      await this.runStep(run, data, step, tally);
      // Progress for the coordinator (and its kernel-timeout clock); the job's completion says the last.
      if (k < data.steps.length - 1) job.updateProgress(k + 1).catch(() => {});
    }
    // Writes overlap the chain's later tasks; the job completes once every one is stored.
    let bytesWritten = 0;
    for (const w of await Promise.all(tally.writes)) {
      if (!w.ok) throw w.error;
      bytesWritten += w.bytes;
    }
    const delta = backendStatsSince(before, this.backend.stats());
    const kernels: Record<string, KernelRunCounts> = {};
    for (const [id, k] of Object.entries(delta.kernels))
      kernels[id] = { native: k.native, reference: k.reference };
    return {
      tasks: data.steps.map((s) => s.order.id),
      worker: this.name,
      busyMs: tally.busyMs,
      transfersRead: tally.transfersRead,
      bytesRead: tally.bytesRead,
      bytesKept: tally.bytesKept,
      bytesWritten,
      kernels,
    };
  }

  /**
   * One task of a job: reads the regions it lacks, runs it, and starts writing what it
   * produces for other devices (Redis) and the coordinator (`tally.writes`).
   */
  private async runStep(run: JoinedRun, data: JobData, step: JobStep, tally: JobTally): Promise<void> {
    const order = step.order;
    const store = this.store(run, order.device);
    const { chunkBytes, ttlMs, kernelTimeoutMs } = run.meta;
    let received = run.received.get(order.device);
    if (received === undefined) {
      received = new Set();
      run.received.set(order.device, received);
    }
    // Transfers move exactly as derived; program inputs are read once per device and region.
    // Every region a task lacks is read at once: their round trips overlap.
    const missing = step.gets.filter((g, k) => {
      const range = rangeFromWire(g.range);
      if (g.from === "transfer") return !received.has(g.n);
      if (store.find(g.key, range) !== undefined) return false;
      // An input region an earlier get of this task covers comes with that one.
      return !step.gets.some(
        (o, j) => j < k && o.from === "input" && o.key === g.key && rangeFromWire(o.range).contains(range),
      );
    });
    const plane = run.meta.data ?? null;
    const regions = await retryable(
      Promise.all(
        missing.map(async (g) => {
          const range = rangeFromWire(g.range);
          if (g.from === "input") return this.readInput(run, g.n, g.dtype, range, tally);
          return getRegion(this.client, run.keys.transfer(g.n), g.dtype, range, chunkBytes);
        }),
      ),
      order.id,
    );
    missing.forEach((g, k) => {
      const region = regions[k];
      if (region === undefined) {
        const key = g.from === "input" ? run.keys.input(g.n) : run.keys.transfer(g.n);
        throw fail(
          new TesseraError(
            "redis_unavailable",
            g.from === "input" && plane !== null
              ? `the coordinator no longer serves input ${g.n} of run ${run.keys.run} (the run ended)`
              : `Redis no longer holds ${g.from} ${g.n} of run ${run.keys.run} (restarted without persistence, or the run expired)`,
            { run: run.keys.run, key },
          ),
          order.id,
        );
      }
      // A prefetch of the device's inputs may have stored this region meanwhile.
      if (g.from === "transfer" || store.find(g.key, region.range) === undefined) store.put(g.key, region);
      if (g.from === "transfer") {
        tally.bytesRead += region.data.byteLength;
        tally.transfersRead.push(g.n);
        received.add(g.n);
      }
    });
    const started = performance.now();
    try {
      await withTimeout(this.runTask(run, data, order, store), kernelTimeoutMs, order.id);
    } catch (error) {
      if (error instanceof TesseraError && error.code === "kernel_timeout") throw fail(error, order.id);
      // Retried by BullMQ up to the job's attempts, then the run fails with `task_failed`.
      throw new Error(failure(error, order.id));
    }
    tally.busyMs += performance.now() - started;
    const writes = step.puts.map((p) => {
      const range = rangeFromWire(p.range);
      const held = store.find(p.key, range);
      if (held === undefined)
        throw fail(new Error(`task ${order.id} produced no ${p.key} covering ${range}`), order.id);
      const key = p.to === "output" ? run.keys.output(p.n) : run.keys.transfer(p.n);
      return { to: p.to, n: p.n, key, bytes: regionBytes(held, range) };
    });
    const direct = plane === null ? [] : writes.filter((w) => w.to === "output");
    const redisWrites = writes.filter((w) => !direct.includes(w));
    // Every region the task writes to Redis in one atomic step, and only while the run exists: a
    // job finishing after its run ended (and its keys were deleted) writes nothing. Output blocks
    // on the direct data plane go to the coordinator meanwhile.
    const written = retryable(
      Promise.all([
        redisWrites.length === 0 ? 0 : putMany(this.client, run.keys.meta, redisWrites, chunkBytes, ttlMs),
        ...direct.map((w) => this.data.putOutput(plane!, run.keys.run, w.n, w.bytes)),
      ]),
      order.id,
    );
    // Settled here, awaited when the job ends: a failure must not go unhandled meanwhile.
    tally.writes.push(
      written.then(
        ([n]) => ({ ok: true, bytes: typeof n === "number" ? n : 0 }),
        (error: unknown) => ({ ok: false, error }),
      ),
    );
  }

  /**
   * Program input `n` of the run, read once per run however many jobs (or a prefetch) ask for
   * it: taken from the inputs this worker kept for the run's executor when it has that very
   * load (`RunKeep`), else read from the coordinator (direct data plane) or Redis, and kept
   * when the run asks. What it read from Redis counts in `tally.bytesRead` (the coordinator
   * counts what it served), what it took from the kept inputs in `tally.bytesKept`.
   */
  private readInput(
    run: JoinedRun,
    n: number,
    dtype: DType,
    range: ZRange,
    tally: JobTally,
  ): Promise<Region | undefined> {
    const known = run.fetches.get(n);
    if (known !== undefined) return known;
    const keep = run.meta.keep ?? null;
    const key = keep?.keys?.[n];
    const bytes = range.size * DTYPE_BYTES[dtype];
    const kept = key === undefined ? undefined : this.cache.get(key, dtype, range);
    let read: Promise<Region | undefined>;
    if (kept !== undefined) {
      tally.bytesKept += bytes;
      read = Promise.resolve(kept);
    } else {
      const plane = run.meta.data ?? null;
      const fetched =
        plane === null
          ? getRegion(this.client, run.keys.input(n), dtype, range, run.meta.chunkBytes).then((r) => {
              if (r !== undefined) tally.bytesRead += bytes;
              return r;
            })
          : this.data
              .getInput(plane, run.keys.run, n, bytes, this.recycled)
              .then((b): Region | undefined =>
                b === undefined ? undefined : { dtype, range, data: typedArrayOn(dtype, b) },
              );
      read = fetched.then((region) => {
        // Not there (the run ended, or Redis lost it): the next job that needs it asks again.
        if (region === undefined) run.fetches.delete(n);
        else if (key !== undefined) this.cache.put(key, keep!.executor, keep!.generation, region);
        return region;
      });
      // A failed read is tried again by the next job that needs it.
      read.catch(() => run.fetches.delete(n));
    }
    run.fetches.set(n, read);
    return read;
  }

  /**
   * Reads every program input of `device` (each once per run), all at once: settles when all
   * are in its store. A failed read is left to the task that needs it, which reads it again and
   * fails the job if it must.
   */
  private prefetch(
    run: JoinedRun,
    plane: DataPlane,
    device: string,
    store: RegionStore,
    tally: JobTally,
  ): Promise<void> {
    const reads = plane.loads
      .filter((load) => load.device === device)
      .map(async (load) => {
        const range = rangeFromWire(load.range);
        const region = await this.readInput(run, load.n, load.dtype, range, tally).catch(() => undefined);
        if (region !== undefined && store.find(load.key, range) === undefined) store.put(load.key, region);
      });
    return Promise.all(reads).then(() => {});
  }

  private async runTask(run: JoinedRun, data: JobData, order: TaskOrder, store: RegionStore): Promise<void> {
    if (data.fault !== null && data.fault.task === order.id) {
      if (data.fault.kind === "hang") await new Promise<never>(() => {});
      throw new Error(`fault injected into task ${order.id} (testing hook)`);
    }
    if (order.kind === "combine") {
      runCombine(order, store);
      return;
    }
    const prepared = run.operations.get(order.op);
    if (prepared === undefined)
      throw new Error(`operation '${order.op}' is not in run ${run.keys.run}'s program`);
    await runShard(order, prepared, this.backend, store);
  }
}

/** `promise`, its error made one BullMQ retries (a connection to Redis or the coordinator may be back by then). */
async function retryable<T>(promise: Promise<T>, task: string): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw new Error(failure(error, task));
  }
}

/** `promise`, or a `kernel_timeout` after `ms` (a kernel that never returns cannot hold a worker forever). */
async function withTimeout<T>(promise: Promise<T>, ms: number, task: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TesseraError("kernel_timeout", `task ${task} did not finish within ${ms} ms`, {
            task,
            timeoutMs: ms,
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a worker of the distributed executor in this process (`tessera worker`): connects to
 * Redis, registers under its name (`worker_name_taken` when a live worker has it), opens its
 * kernel backend and takes jobs until `close`. Refuses a non-loopback Redis without password
 * or TLS (`insecure_redis`) unless `insecure`; `redis_unavailable` when Redis does not answer.
 */
export async function startDistributedWorker(
  options: DistributedWorkerOptions = {},
): Promise<DistributedWorker> {
  const target = parseRedisUrl(options.redis ?? "redis://127.0.0.1:6379", options.insecure === true);
  const name = checkName(options.name ?? defaultName());
  const threads = checkThreads(options.threads ?? 1);
  const backendName = checkBackend(options.backend ?? "reference");
  const prefix = options.prefix ?? "tessera";
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const inputCacheBytes = options.inputCacheBytes ?? DEFAULT_INPUT_CACHE_BYTES;
  if (!Number.isSafeInteger(inputCacheBytes) || inputCacheBytes < 0) {
    throw new TesseraError(
      "invalid_option",
      `inputCacheBytes must be a whole number of bytes (0 or more), found ${inputCacheBytes}`,
      { option: "inputCacheBytes", found: String(inputCacheBytes) },
    );
  }
  const registry = extendRegistry(
    builtinRegistry(),
    (options.kernelFiles ?? []).map(loadKernelDeclarationFile),
  );
  const client = await connectRedis(target);
  const now = Date.now();
  const info: WorkerInfo = {
    name,
    threads,
    backend: backendName,
    host: hostname(),
    pid: process.pid,
    startedAt: now,
    heartbeatAt: now,
  };
  try {
    if (!(await registerWorker(client, prefix, info, heartbeatMs))) {
      throw new TesseraError(
        "worker_name_taken",
        `a live worker is already registered as '${name}' at ${target.display}; choose another --name`,
        { name },
      );
    }
  } catch (error) {
    client.disconnect();
    throw error;
  }
  let backend: KernelBackend;
  try {
    backend = await openBackend(backendName, threads);
  } catch (error) {
    await deregisterWorker(client, prefix, name).catch(() => {});
    client.disconnect();
    throw error;
  }
  const worker = new WorkerProcess(
    {
      target,
      prefix,
      heartbeatMs,
      pollMs: options.pollMs ?? 200,
      client,
      registry,
      backend,
      info,
      inputCacheBytes,
    },
    options.log ?? (() => {}),
  );
  worker.start();
  return worker;
}

/**
 * A client connected to `target`, or `redis_unavailable` after a few seconds of trying (the
 * message names the server, never its password).
 */
export async function connectRedis(target: RedisTarget, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis({ ...connectionOptions(target), lazyConnect: true, connectTimeout: timeoutMs });
  // Errors are reported through the failed commands; unhandled ones would only be noise.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    throw new TesseraError(
      "redis_unavailable",
      `cannot reach Redis at ${target.display}: ${error instanceof Error ? error.message : String(error)}`,
      { url: target.display },
    );
  }
}

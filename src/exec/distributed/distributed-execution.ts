import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Job, JobsOptions, Queue, QueueEvents, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { DTYPE_BYTES, typedArrayOn } from "../../base/dtype.js";
import { TesseraError } from "../../base/errors.js";
import { FirstFailure } from "../../base/first-failure.js";
import { nullRecord } from "../../base/json.js";
import { type Region, sliceRegion, writeRegion, zeroRegion } from "../../kernels/region.js";
import { sourceKey, type Task, transferBytes } from "../../plan/task-graph.js";
import type { KernelRunCounts } from "../backend/kernel-backend.js";
import { type InitialLoad, initialLoads } from "../local/initial-loads.js";
import type { PreparedRun } from "../local/prepare-run.js";
import { rangeToWire } from "../local/region-wire.js";
import { TaskOrders } from "../local/task-orders.js";
import { deleteKeys } from "./delete-keys.js";
import { assignDevices, reassignDevices } from "./device-assignment.js";
import {
  foreignJob,
  jobFailed,
  kernelTimedOut,
  noWorkers,
  runTimedOut,
  stateLost,
  wireFromReason,
} from "./distributed-errors.js";
import type { DistributedRunResult, WorkerReport } from "./distributed-stats.js";
import type { InputKeep } from "./input-keep.js";
import type { DistributedFault, JobData, JobFailure, JobResult, JobStep } from "./job.js";
import type { RedisTarget } from "./redis-url.js";
import type { DataPlane } from "./region-client.js";
import { chunkCount, getRegion, putBytes, regionBytes, regionBytesView } from "./region-codec.js";
import type { RegionServer } from "./region-server.js";
import { type OutputWriter, outputWriters, runSteps } from "./run-jobs.js";
import { announceChannel, RunKeys, runsKey } from "./run-keys.js";
import { addRunMeta, type RunKeep, writeRunWorkers } from "./run-meta.js";
import { SHARED_MIN_BYTES } from "./shared-input-dir.js";
import { type ChainGraph, chainFrom } from "./task-chains.js";
import { watchedQueue } from "./watched-queue.js";
import { isWorkerLive, liveWorkers, type WorkerInfo } from "./worker-registry.js";

/** How a coordinator runs: timeouts, lock and retry policy, chunking (see `DistributedExecutorOptions`). */
export interface DistributedSettings {
  readonly target: RedisTarget;
  readonly prefix: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly kernelTimeoutMs: number;
  readonly runTimeoutMs: number;
  readonly noWorkersGraceMs: number;
  readonly monitorMs: number;
  readonly chunkBytes: number;
  readonly attempts: number;
  readonly backoffMs: number;
  /** Most tasks one job runs (`chainFrom`); 1: a job per task. */
  readonly maxChain: number;
  /** `direct`: inputs and outputs over the coordinator's `RegionServer`; `redis`: through Redis. */
  readonly dataPlane: "direct" | "redis";
  /** On the direct plane, inputs to workers on this machine through shared memory (`SharedInputDir`). */
  readonly sharedMemory: boolean;
  /** The data server's advertised host and the address it listens on. */
  readonly dataHost: string;
  readonly dataBind: string;
}

/** A worker's queue of this run (in one incarnation), the events of it, and the stalled-job checker the coordinator runs on it. */
interface WorkerQueue {
  readonly incarnation: number;
  readonly queue: Queue<JobData, JobResult>;
  readonly events: QueueEvents;
  readonly checker: Worker<JobData, JobResult>;
}

interface WorkerTally {
  tasks: number;
  jobs: number;
  busyMs: number;
  kernels: Record<string, KernelRunCounts>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** BullMQ's reason for a job that stalled more often than `maxStalledCount`. */
const STALLED_TOO_OFTEN = /stalled more than allowable limit/i;

/**
 * One run of a plan on distributed workers: the coordinator side. It maps devices onto the
 * registered workers, uploads inputs, enqueues each task's job on its device's worker as soon
 * as the tasks it reads from are done, and collects the outputs. Every way the run can fail
 * (a job failing for good, a timeout, no workers, Redis losing the run) becomes one rejection
 * that every wait races against; whatever happens, `cleanup` removes the run's keys and queues.
 *
 * Losing a worker — its registration expired while it had no job active, a job of its queue
 * stalled (BullMQ's lock expired), or it stopped — moves its devices to the surviving workers
 * and runs again what it held that is still needed (see `redo`).
 */
export class DistributedExecution {
  private readonly keys: RunKeys;
  private readonly orders: TaskOrders;
  private readonly tasks: readonly Task[];
  private readonly index: ReadonlyMap<string, number>;
  private readonly dependents: readonly number[][];
  private readonly writers: readonly OutputWriter[];
  private readonly chainGraph: ChainGraph;
  private steps: readonly JobStep[] = [];
  /** The tasks of each job id dispatched, in the order the job runs them. */
  private readonly chains = new Map<string, readonly number[]>();
  /** Tasks of a job in hand that its worker reports finished (`progress` events), by job id. */
  private readonly finishedInJob = new Map<string, number>();
  private assignment = new Map<string, string>();
  private readonly workers = new Map<string, WorkerInfo>();
  private readonly queues = new Map<string, WorkerQueue>();
  private readonly lost: string[] = [];
  /** Workers declared lost whose recovery has not finished: they take no devices meanwhile. */
  private readonly losing = new Set<string>();
  /** The next incarnation of each worker dropped from the run (`RunWorkers`). */
  private readonly incarnations = new Map<string, number>();
  private checking = false;
  private readonly done: boolean[];
  /** The job id each task's current attempt runs under (a chain's tasks share one); completions of others are stale. */
  private readonly current = new Map<number, string>();
  private readonly activeSince = new Map<string, number>();
  private generation = 0;
  private doneCount = 0;
  private redone = 0;
  private readonly counted = new Set<number>();
  private bytesMoved = 0;
  private inputsRead = 0;
  private inputsKept = 0;
  private outputsWritten = 0;
  private transfersWritten = 0;
  private chunked = 0;
  private readonly tally = new Map<string, WorkerTally>();
  private readonly failure = new FirstFailure();
  private readonly failed = this.failure.failed;
  private readonly fail = this.failure.fail;
  private finish: () => void = () => {};
  private readonly finished: Promise<void>;
  private recovering: Promise<void> = Promise.resolve();
  /** `end` was called: nothing of the run changes any more (a late event starts no recovery). */
  private over = false;
  private ending: Promise<void> | undefined;
  private monitor: NodeJS.Timeout | undefined;
  /** Output blocks delivered over the direct data plane, by writer number. */
  private readonly blocks = new Map<number, ArrayBuffer>();
  private inputsServed = 0;
  /** Of `inputsServed`, what went through shared memory to workers on this machine. */
  private inputsShared = 0;
  private outputsReceived = 0;

  constructor(
    private readonly client: Redis,
    private readonly settings: DistributedSettings,
    private readonly prepared: PreparedRun,
    private readonly fault: DistributedFault | null,
    readonly run: string,
    /** The executor's kept inputs (`keepInputs`): what this run's meta tells workers about them. */
    private readonly keep: InputKeep,
    /** The coordinator's data server (direct data plane), or undefined: inputs and outputs through Redis. */
    private readonly server?: RegionServer,
  ) {
    this.keys = new RunKeys(settings.prefix, run);
    const { plan, graph } = prepared;
    this.orders = new TaskOrders(plan, graph);
    this.tasks = graph.tasks;
    this.index = new Map(graph.tasks.map((t, i) => [t.id, i]));
    const dependents: number[][] = graph.tasks.map(() => []);
    graph.tasks.forEach((t, i) => {
      for (const d of graph.deps[t.id] ?? []) dependents[this.index.get(d)!]!.push(i);
    });
    this.dependents = dependents;
    const sends = graph.tasks.map(() => false);
    for (const t of graph.transfers) {
      if (t.source.kind === "task") sends[this.index.get(t.source.task)!] = true;
    }
    this.chainGraph = {
      devices: graph.tasks.map((t) => t.device),
      deps: graph.tasks.map((t) => (graph.deps[t.id] ?? []).map((d) => this.index.get(d)!)),
      sendsTransfers: sends,
    };
    this.writers = outputWriters(plan, graph);
    this.done = graph.tasks.map(() => false);
    this.finished = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
  }

  /** Runs every task and collects the outputs; rejects with the run's first error. Call `cleanup` after, always. */
  async execute(): Promise<DistributedRunResult> {
    const { prepared, settings } = this;
    const { plan, graph, inputs } = prepared;
    const t0 = performance.now();
    const deadline = setTimeout(
      () => this.fail(runTimedOut(this.run, settings.runTimeoutMs, this.doneCount, this.tasks.length)),
      settings.runTimeoutMs,
    );
    try {
      const workers = await Promise.race([this.awaitWorkers(), this.failed]);
      for (const w of workers) this.workers.set(w.name, w);
      this.assignment = assignDevices(plan.devices, workers);
      const loads = initialLoads(plan, graph, inputs);
      this.steps = runSteps(plan, graph, this.orders, loads);
      const keep = this.keep.forRun(prepared.keepInputs, loads);
      const ttlMs = settings.runTimeoutMs + 60_000;
      const data = this.serve(loads, keep);
      // The queues open while the run is announced: their events are read from the stream's
      // start, and jobs wait in a queue until its worker joins, so neither must come first.
      const opened = Promise.all(this.participants().map((w) => this.openQueue(w)));
      opened.catch(() => {});
      // One round trip: the meta, the executor's key as this run leaves it, then the announcement
      // (workers that hear it find the meta).
      const announcement = addRunMeta(
        this.client.multi(),
        this.keys,
        {
          program: prepared.program,
          lockDurationMs: settings.lockDurationMs,
          kernelTimeoutMs: settings.kernelTimeoutMs,
          chunkBytes: settings.chunkBytes,
          ttlMs,
          data,
          keep,
        },
        this.membership(),
      );
      this.keep.announce(announcement);
      // Not awaited before the jobs go: commands on one connection run in the order sent, so the
      // meta and the uploads below are in Redis before any job a worker can take (one round
      // trip less per run, 7-30 ms on a loaded 2-core machine). Their replies are awaited after.
      const announced = announcement
        .sadd(runsKey(settings.prefix), this.run)
        .publish(announceChannel(settings.prefix), this.run)
        .exec();
      announced.catch(() => {});
      await Promise.race([opened, this.failed]);
      const t1 = performance.now();
      const put = async (key: string, bytes: Buffer) => {
        if (chunkCount(bytes.byteLength, settings.chunkBytes) > 1) this.chunked++;
        return putBytes(this.client, key, bytes, settings.chunkBytes, ttlMs);
      };
      // Every upload at once: their round trips overlap.
      const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
      const uploaded = Promise.all([
        // On the direct data plane workers read inputs from this process (`serve`), not from Redis.
        data !== null
          ? []
          : Promise.all(loads.map((load, n) => put(this.keys.input(n), regionBytes(load.value, load.range)))),
        // Home-placed inputs leave their device like any producer's output: as transfers.
        Promise.all(
          graph.transfers.map((t) =>
            t.source.kind === "input"
              ? put(this.keys.transfer(t.id), regionBytes(inputs[t.source.tensor]!, t.region))
              : 0,
          ),
        ),
      ]);
      uploaded.catch(() => {});
      const t2 = performance.now();
      this.monitor = setInterval(() => this.check(), settings.monitorMs);
      this.dispatch(this.tasks.map((_, i) => i));
      if (this.doneCount === this.tasks.length) this.finish();
      const [, [loaded, homed]] = await Promise.race([Promise.all([announced, uploaded]), this.failed]);
      const inputsWritten = sum(loaded);
      this.transfersWritten += sum(homed);
      await Promise.race([this.finished, this.failed]);
      const t3 = performance.now();
      const outputs = await Promise.race([this.collectOutputs(), this.failed]);
      if (this.server !== undefined) {
        // Every block is in the outputs now, and no job is left to deliver one: their buffers
        // can take the next run's blocks.
        this.server.remove(this.run);
        this.server.recycle([...this.blocks.values()]);
        this.blocks.clear();
      }
      const t4 = performance.now();
      return {
        outputs,
        stats: {
          run: this.run,
          wallMs: prepared.prepareMs + (t4 - t0),
          phases: {
            prepareMs: prepared.prepareMs,
            startMs: t1 - t0,
            loadMs: t2 - t1,
            computeMs: t3 - t2,
            fetchMs: t4 - t3,
            endMs: 0,
          },
          tasks: this.tasks.length,
          bytesMoved: this.bytesMoved,
          bytesDerived: transferBytes(graph),
          transfersMoved: this.counted.size,
          // What reached the workers: inputs they took from what they kept did not move.
          bytesLoaded: data !== null ? this.inputsServed : this.inputsRead,
          bytesKept: this.inputsKept,
          perWorker: this.reports(),
          direct: {
            inputsServed: this.inputsServed,
            inputsShared: this.inputsShared,
            outputsReceived: this.outputsReceived,
          },
          redis: {
            inputsWritten,
            inputsRead: this.inputsRead,
            transfersWritten: this.transfersWritten,
            outputsWritten: this.outputsWritten,
            chunkedValues: this.chunked,
          },
          recovery: { lost: this.lost.slice(), tasksRedone: this.redone },
        },
      };
    } finally {
      clearTimeout(deadline);
      if (this.monitor !== undefined) clearInterval(this.monitor);
    }
  }

  /**
   * Serves the run's program-input regions and takes its output blocks on the data server (the
   * direct data plane), under a token only the run's meta holds; null without a server. A block
   * delivered twice (a retried or stale job) is the same bytes: the last one is kept.
   */
  private serve(loads: readonly InitialLoad[], keep: RunKeep | null): DataPlane | null {
    if (this.server === undefined) return null;
    const token = randomBytes(16).toString("hex");
    const { plan } = this.prepared;
    const dtypes = new Map(plan.program.tensors.map((t) => [t.id, t.dtype]));
    // Loads of the very same value and box are one distinct region (`ServedInput.id`): the
    // bytes of each are taken once, a view of the input where they are contiguous in it.
    const sources = new Map<string, number>();
    const ids = new Map<Region, number>();
    const sourceOf = loads.map((l) => {
      let v = ids.get(l.value);
      if (v === undefined) {
        v = ids.size;
        ids.set(l.value, v);
      }
      const key = `${v}|${l.range}`;
      let id = sources.get(key);
      if (id === undefined) {
        id = sources.size;
        sources.set(key, id);
      }
      return id;
    });
    const cache = new Map<number, Uint8Array>();
    const bytesOf = (n: number): Uint8Array => {
      const id = sourceOf[n]!;
      let bytes = cache.get(id);
      if (bytes === undefined) {
        bytes = regionBytesView(loads[n]!.value, loads[n]!.range);
        cache.set(id, bytes);
      }
      return bytes;
    };
    this.server.add(this.run, {
      token,
      input: (n) => (loads[n] === undefined ? undefined : { id: sourceOf[n]!, bytes: () => bytesOf(n) }),
      served: (n, shared) => {
        const bytes = bytesOf(n).byteLength;
        this.inputsServed += bytes;
        if (shared) this.inputsShared += bytes;
      },
      outputBytes: (n) => {
        const w = this.writers[n];
        if (w === undefined || w.writer.source.kind !== "task") return undefined;
        return w.writer.region.size * DTYPE_BYTES[dtypes.get(w.tensor)!];
      },
      receive: (n, bytes) => {
        this.blocks.set(n, bytes);
        this.outputsReceived += bytes.byteLength;
      },
    });
    this.offerShared(loads, keep);
    return {
      url: this.server.url,
      token,
      loads: loads.map((l, n) => ({
        n,
        device: l.device,
        key: l.key,
        dtype: l.value.dtype,
        range: rangeToWire(l.range),
        ...(this.assignment.has(l.device) ? { worker: this.assignment.get(l.device)! } : {}),
      })),
      ...(this.server.shared === undefined ? {} : { shared: this.server.shared }),
    };
  }

  /**
   * Starts writing to shared memory the inputs of the devices dealt to workers on this machine
   * (`SharedInputDir`): the writes overlap the run's announcement and the jobs' pickup, so the
   * workers find them written. Not the loads a worker likely kept from the last run
   * (`InputKeep.likelyKept`): a worker that did not reads them on request.
   */
  private offerShared(loads: readonly InitialLoad[], keep: RunKeep | null): void {
    if (this.server?.shared === undefined) return;
    const here = hostname();
    const offered = loads.flatMap((load, n) => {
      const worker = this.workers.get(this.assignment.get(load.device) ?? "");
      if (worker?.host !== here || load.range.size * DTYPE_BYTES[load.value.dtype] < SHARED_MIN_BYTES)
        return [];
      const key = keep?.keys?.[n];
      return key !== undefined && this.keep.likelyKept(key) ? [] : [n];
    });
    this.server.offer(this.run, offered);
  }

  /**
   * Ends the run in Redis, in one round trip: it leaves the set of runs in progress (workers let
   * go of it) and its meta is deleted, so a job finishing late writes nothing and the run's
   * state can no longer change (idempotent). `cleanup` does the rest.
   */
  end(): Promise<void> {
    this.ending ??= (async () => {
      this.over = true;
      if (this.monitor !== undefined) clearInterval(this.monitor);
      this.server?.remove(this.run);
      await this.client
        .multi()
        .srem(runsKey(this.settings.prefix), this.run)
        .publish(announceChannel(this.settings.prefix), this.run)
        .unlink(this.keys.meta)
        .exec()
        .catch(() => {});
    })();
    return this.ending;
  }

  /** Removes every key and queue of the run, whatever way it ended (idempotent): `end`, then its queues and data keys. */
  async cleanup(): Promise<void> {
    // The meta before the queues and data keys: a job finishing late writes its regions only
    // while the meta exists.
    await this.end();
    await Promise.all([...this.queues.keys()].map((w) => this.closeQueue(w)));
    await deleteKeys(this.client, this.keys.patterns);
  }

  /** Workers holding devices, in name order. */
  private participants(): string[] {
    return [...new Set(this.assignment.values())].sort();
  }

  /** The participants with their incarnations, as the run's meta tells the workers. */
  private membership(): Record<string, number> {
    return Object.fromEntries(this.participants().map((w) => [w, this.incarnations.get(w) ?? 0]));
  }

  private async awaitWorkers(): Promise<WorkerInfo[]> {
    const until = Date.now() + this.settings.noWorkersGraceMs;
    for (;;) {
      const found = (await liveWorkers(this.client, this.settings.prefix)).filter(
        (w) => !this.losing.has(w.name),
      );
      if (found.length > 0) return found;
      if (Date.now() >= until)
        throw noWorkers(this.settings.target.display, this.settings.noWorkersGraceMs, this.lost);
      await sleep(Math.min(200, this.settings.noWorkersGraceMs));
    }
  }

  private async openQueue(worker: string): Promise<void> {
    if (this.queues.has(worker)) return;
    const incarnation = this.incarnations.get(worker) ?? 0;
    const { queue, events, checker } = watchedQueue<JobData, JobResult>(
      this.keys.queue(worker, incarnation),
      this.settings,
      this.client,
    );
    const entry = { incarnation, queue, events, checker };
    this.queues.set(worker, entry);
    // Events of a queue the run has dropped (a worker declared lost, perhaps re-admitted since
    // under a new incarnation) concern jobs that were all replaced: they change nothing.
    const current = () => this.queues.get(worker) === entry;
    events.on("completed", ({ jobId, returnvalue }) => {
      if (current()) this.onCompleted(worker, jobId, returnvalue);
    });
    events.on("failed", ({ jobId, failedReason }) => {
      if (current()) this.onFailed(worker, jobId, failedReason);
    });
    events.on("active", ({ jobId }) => {
      if (current()) this.activeSince.set(jobId, Date.now());
    });
    events.on("progress", ({ jobId, data }) => {
      if (current()) this.onStep(jobId, data);
    });
    events.on("stalled", ({ jobId }) => {
      // Back in the queue: its kernel-timeout clock restarts when it is active again.
      this.activeSince.delete(jobId);
      if (current()) this.onLost(worker, "a job of it stalled (its lock expired)");
    });
    // Jobs may be added before its events and the stalled checker are ready: the events are read
    // from the stream's start (nothing is missed), and no job can stall before a worker takes it.
    // Waiting for their blocking connections cost about 10 ms of every run's start.
    Promise.all([events.waitUntilReady(), checker.waitUntilReady()])
      .then(() => {
        void checker.startStalledCheckTimer().catch(() => {});
      })
      .catch((e: unknown) => {
        if (current())
          this.fail(stateLost(this.run, this.settings.target.display, `opening a queue: ${String(e)}`));
      });
    await queue.waitUntilReady();
  }

  /** Drops `worker`'s queue of the run (obliterated); if it is admitted again, it gets a new one. */
  private async closeQueue(worker: string): Promise<void> {
    const entry = this.queues.get(worker);
    if (entry === undefined) return;
    this.queues.delete(worker);
    this.incarnations.set(worker, entry.incarnation + 1);
    await entry.queue.obliterate({ force: true }).catch(() => {});
    await Promise.all([entry.checker.close(true), entry.events.close(), entry.queue.close()]).catch(() => {});
  }

  /** Enqueues every task of `candidates` that is not done, not queued, and whose inputs are all done. */
  private dispatch(candidates: readonly number[]): void {
    if (this.failure.error !== undefined) return;
    const { graph } = this.prepared;
    // The ready tasks of one worker go in one call (one round trip), in task order.
    const batches = new Map<WorkerQueue, { name: string; data: JobData; opts: JobsOptions }[]>();
    for (const i of [...new Set(candidates)].sort((a, b) => a - b)) {
      if (this.done[i] || this.current.has(i)) continue;
      const task = this.tasks[i]!;
      if (!(graph.deps[task.id] ?? []).every((d) => this.done[this.index.get(d)!])) continue;
      const worker = this.assignment.get(task.device)!;
      const entry = this.queues.get(worker);
      if (entry === undefined) continue;
      const jobId = `${i}-${this.generation}`;
      const chain = chainFrom(
        i,
        this.chainGraph,
        this.done,
        (j) => this.current.has(j),
        this.settings.maxChain,
      );
      for (const j of chain) this.current.set(j, jobId);
      this.chains.set(jobId, chain);
      const batch = batches.get(entry) ?? [];
      batch.push({
        name: task.id,
        data: {
          version: 2,
          kind: "tessera-tasks",
          run: this.run,
          steps: chain.map((j) => this.steps[j]!),
          fault: this.fault,
        },
        opts: {
          jobId,
          attempts: this.settings.attempts,
          backoff: { type: "fixed", delay: this.settings.backoffMs },
          removeOnComplete: true,
          removeOnFail: true,
        },
      });
      batches.set(entry, batch);
    }
    for (const [entry, batch] of batches) {
      entry.queue
        .addBulk(batch)
        .catch((e: unknown) =>
          this.fail(stateLost(this.run, this.settings.target.display, `adding a job: ${String(e)}`)),
        );
    }
  }

  /** The tasks of job `jobId` while it is their current attempt; undefined for a stale or foreign job. */
  private chainOfJob(jobId: string): readonly number[] | undefined {
    const chain = this.chains.get(jobId);
    return chain?.every((i) => this.current.get(i) === jobId) ? chain : undefined;
  }

  /** Tasks done, counting those a job in hand has finished (they may have to run again if its worker is lost). */
  private progress(): number {
    let n = this.doneCount;
    for (const k of this.finishedInJob.values()) n += k;
    return n;
  }

  /** A worker reports `data` tasks of job `jobId` finished: progress, and the kernel-timeout clock restarts for the next. */
  private onStep(jobId: string, data: unknown): void {
    const chain = this.chainOfJob(jobId);
    if (chain === undefined || this.failure.error !== undefined) return;
    if (typeof data !== "number" || !Number.isSafeInteger(data) || data < 0 || data > chain.length) return;
    this.finishedInJob.set(jobId, data);
    if (this.activeSince.has(jobId)) this.activeSince.set(jobId, Date.now());
    this.prepared.onProgress?.(this.progress(), this.tasks.length);
  }

  private onCompleted(worker: string, jobId: string, value: unknown): void {
    this.activeSince.delete(jobId);
    const chain = this.chainOfJob(jobId);
    if (chain === undefined || chain.some((i) => this.done[i]) || this.failure.error !== undefined) return;
    const result = (typeof value === "string" ? JSON.parse(value) : value) as JobResult;
    this.finishedInJob.delete(jobId);
    this.chains.delete(jobId);
    for (const i of chain) this.done[i] = true;
    this.doneCount += chain.length;
    const t = this.tallyOf(worker);
    t.tasks += chain.length;
    t.jobs++;
    t.busyMs += result.busyMs;
    for (const [id, k] of Object.entries(result.kernels)) {
      const into = t.kernels[id] ?? { native: 0, reference: 0 };
      t.kernels[id] = { native: into.native + k.native, reference: into.reference + k.reference };
    }
    const transfers = this.prepared.graph.transfers;
    let transferBytesRead = 0;
    for (const n of result.transfersRead) {
      transferBytesRead += transfers[n]!.bytes;
      if (this.counted.has(n)) continue;
      this.counted.add(n);
      this.bytesMoved += transfers[n]!.bytes;
    }
    this.inputsRead += result.bytesRead - transferBytesRead;
    this.inputsKept += result.bytesKept;
    let sent = 0;
    for (const i of chain) {
      for (const p of this.steps[i]!.puts) if (p.to === "transfer") sent += transfers[p.n]!.bytes;
    }
    this.transfersWritten += sent;
    this.outputsWritten += result.bytesWritten - sent;
    this.prepared.onProgress?.(this.progress(), this.tasks.length);
    if (this.doneCount === this.tasks.length) {
      this.finish();
      return;
    }
    this.dispatch(chain.flatMap((i) => this.dependents[i]!));
  }

  private onFailed(worker: string, jobId: string, reason: string): void {
    this.activeSince.delete(jobId);
    // Its jobs are run again elsewhere: a task that is really at fault fails there too.
    if (this.losing.has(worker)) return;
    if (STALLED_TOO_OFTEN.test(reason)) {
      // BullMQ's own verdict on a job whose lock kept expiring: the worker's fault, not the task's.
      this.onLost(worker, "a job of it stalled again");
      return;
    }
    if (/^\d+-\d+$/.test(jobId)) {
      const chain = this.chainOfJob(jobId);
      // A failure of a job already replaced (its worker was lost) changes nothing.
      if (chain === undefined) return;
      // The task of the chain it failed in, as the worker names it (the first before any ran).
      const named = failedTask(reason);
      const task = this.tasks[chain.find((i) => this.tasks[i]!.id === named) ?? chain[0]!]!;
      this.fail(jobFailed(task, this.orders.kernelOf(task.op), wireFromReason(reason), worker));
      return;
    }
    this.fail(foreignJob(this.run, jobId, worker, reason));
  }

  /** Periodic checks: the run's state still in Redis, workers alive, no task over the kernel timeout. */
  private check(): void {
    if (this.failure.error !== undefined || this.checking) return;
    const now = Date.now();
    for (const [jobId, since] of this.activeSince) {
      if (now - since <= this.settings.kernelTimeoutMs) continue;
      const chain = this.chainOfJob(jobId);
      if (chain === undefined) {
        this.activeSince.delete(jobId);
        continue;
      }
      // The clock restarts at each task a chain finishes (`onStep`): this one is running.
      const task = this.tasks[chain[Math.min(this.finishedInJob.get(jobId) ?? 0, chain.length - 1)]!]!;
      const worker = this.assignment.get(task.device) ?? "?";
      this.fail(kernelTimedOut(task, this.orders.kernelOf(task.op), worker, this.settings.kernelTimeoutMs));
      return;
    }
    this.checking = true;
    void (async () => {
      if ((await this.client.exists(this.keys.meta)) === 0) {
        this.fail(stateLost(this.run, this.settings.target.display, "its meta key is gone"));
        return;
      }
      for (const worker of this.participants()) {
        if (await isWorkerLive(this.client, this.settings.prefix, worker)) continue;
        // A worker busy in a long kernel may miss heartbeats: while its job holds the lock, the
        // stalled check (not the heartbeat) decides.
        const entry = this.queues.get(worker);
        if (entry !== undefined && (await entry.queue.getActiveCount()) > 0) continue;
        this.onLost(worker, "its registration expired or it stopped");
      }
    })()
      .catch(() => {})
      .finally(() => {
        this.checking = false;
      });
  }

  private onLost(worker: string, why: string): void {
    if (this.over || this.failure.error !== undefined || this.losing.has(worker) || !this.queues.has(worker))
      return;
    this.lost.push(worker);
    this.losing.add(worker);
    this.recovering = this.recovering
      .then(() => this.recover(worker, why))
      .catch((e: unknown) => this.fail(e as Error));
  }

  /**
   * Drops `worker` from the run (its queue is obliterated, the run's meta no longer names it,
   * so it lets go of what it held), moves its devices to the other live workers (waiting up to
   * the grace period for one to register), and runs again (`redo`) the tasks whose results
   * lived only in its memory and are still needed, and those it had queued or in hand.
   *
   * "Lost" is the coordinator's belief, not a fact: a worker whose heartbeat or lock renewal was
   * only late is alive. Nothing depends on which: it is dropped all the same, its late results
   * are ignored (their jobs were replaced), and once dropped it is a worker like any other that
   * may be admitted again, under a new incarnation with a new queue and an empty state, when
   * the run needs a worker (so a late heartbeat costs time, never the run).
   */
  private async recover(worker: string, _why: string): Promise<void> {
    const moved = new Set([...this.assignment].filter(([, w]) => w === worker).map(([d]) => d));
    await this.closeQueue(worker);
    this.losing.delete(worker);
    let survivors = (await liveWorkers(this.client, this.settings.prefix)).filter(
      (w) => w.name !== worker && !this.losing.has(w.name),
    );
    if (survivors.length === 0) survivors = await this.awaitWorkers();
    // Ended meanwhile: writing its workers would bring its meta back.
    if (this.over) return;
    for (const w of survivors) this.workers.set(w.name, w);
    this.assignment = reassignDevices(this.assignment, worker, survivors);
    await writeRunWorkers(this.client, this.keys, this.membership());
    await this.client.publish(announceChannel(this.settings.prefix), this.run);
    await Promise.all(this.participants().map((w) => this.openQueue(w)));
    const redo = this.redo(moved);
    this.redone += redo.filter((i) => this.done[i]).length;
    const replaced = new Set<string>();
    for (const i of redo) {
      if (this.done[i]) {
        this.done[i] = false;
        this.doneCount--;
      }
      const jobId = this.current.get(i);
      if (jobId !== undefined) replaced.add(jobId);
      this.current.delete(i);
    }
    // Tasks a replaced job had finished (its worker said so) run again too.
    for (const jobId of replaced) {
      this.redone += this.finishedInJob.get(jobId) ?? 0;
      this.finishedInJob.delete(jobId);
      this.chains.delete(jobId);
    }
    this.generation++;
    this.dispatch(redo);
  }

  /**
   * The tasks to run again after the devices `moved` changed worker: every task of theirs not
   * done (queued or in hand on the lost worker), and, transitively, every done task of theirs
   * whose output one of those reads from memory (same device, no transfer). Transfers, program
   * inputs and output blocks are durable in Redis and are never recomputed.
   */
  private redo(moved: ReadonlySet<string>): number[] {
    const { graph } = this.prepared;
    const out = new Set<number>();
    const stack: number[] = [];
    this.tasks.forEach((t, i) => {
      if (moved.has(t.device) && !this.done[i]) {
        out.add(i);
        stack.push(i);
      }
    });
    while (stack.length > 0) {
      const task = this.tasks[stack.pop()!]!;
      for (const p of graph.reads[task.id] ?? []) {
        if (p.transfer !== null || p.source.kind !== "task") continue;
        const j = this.index.get(p.source.task)!;
        if (out.has(j)) continue;
        out.add(j);
        stack.push(j);
      }
    }
    return [...out];
  }

  private tallyOf(worker: string): WorkerTally {
    let t = this.tally.get(worker);
    if (t === undefined) {
      t = { tasks: 0, jobs: 0, busyMs: 0, kernels: {} };
      this.tally.set(worker, t);
    }
    return t;
  }

  private reports(): WorkerReport[] {
    const names = [...new Set([...this.tally.keys(), ...this.assignment.values()])].sort();
    return names.map((name) => {
      const t = this.tallyOf(name);
      const info = this.workers.get(name);
      return {
        worker: name,
        host: info?.host ?? "?",
        backend: info?.backend ?? "reference",
        devices: [...this.assignment].filter(([, w]) => w === name).map(([d]) => d),
        tasks: t.tasks,
        jobs: t.jobs,
        busyMs: t.busyMs,
        kernels: t.kernels,
      };
    });
  }

  /** Each program output assembled from its final writers' blocks in Redis (inputs from the caller's values). */
  private async collectOutputs(): Promise<Record<string, Region>> {
    const { plan, inputs } = this.prepared;
    // Every block at once: their round trips overlap.
    const parts = await Promise.all(
      this.writers.map(async (w): Promise<Region> => {
        const s = w.writer.source;
        if (s.kind === "input") return sliceRegion(inputs[s.tensor]!, w.writer.region);
        const decl = plan.program.tensors.find((t) => t.id === w.tensor)!;
        if (this.server !== undefined) {
          const bytes = this.blocks.get(w.n);
          if (bytes !== undefined)
            return { dtype: decl.dtype, range: w.writer.region, data: typedArrayOn(decl.dtype, bytes) };
          throw stateLost(
            this.run,
            this.settings.target.display,
            `output block ${w.n} of '${w.tensor}' (${sourceKey(s)}) was never delivered`,
          );
        }
        const part = await getRegion(
          this.client,
          this.keys.output(w.n),
          decl.dtype,
          w.writer.region,
          this.settings.chunkBytes,
        );
        if (part === undefined)
          throw stateLost(
            this.run,
            this.settings.target.display,
            `output block ${w.n} of '${w.tensor}' (${sourceKey(s)})`,
          );
        return part;
      }),
    );
    const out = nullRecord<Region>();
    for (const id of plan.program.outputs) {
      const decl = plan.program.tensors.find((t) => t.id === id)!;
      const value = zeroRegion(decl.dtype, decl.range);
      this.writers.forEach((w, k) => {
        if (w.tensor === id) writeRegion(value, parts[k]!);
      });
      out[id] = value;
    }
    return out;
  }
}

/** The task a failed job's reason names (`JobFailure.task`), or null. */
function failedTask(reason: string): string | null {
  try {
    const v = JSON.parse(reason) as Partial<JobFailure>;
    return typeof v.task === "string" ? v.task : null;
  } catch {
    return null;
  }
}

/** A job as the coordinator sees it (for tests that inject foreign jobs). */
export type DistributedJob = Job<JobData, JobResult>;

/** Thrown when a distributed run is asked of a closed executor. */
export function distributedExecutorClosed(): TesseraError {
  return new TesseraError(
    "executor_closed",
    "this distributed executor is closed; create a new one to run more plans",
    {},
  );
}

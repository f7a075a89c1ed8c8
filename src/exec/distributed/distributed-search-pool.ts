import { randomUUID } from "node:crypto";
import type { Queue, QueueEvents, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { TesseraError } from "../../base/errors.js";
import type { SharedMember } from "../../search/engine/search-engine.js";
import type { SearchPool, SearchSession } from "../../search/parallel/search-pool.js";
import type { EpochReport, SearchWorkerSetup } from "../../search/parallel/search-worker-protocol.js";
import { tesseraErrorFromWire } from "../local/wire-error.js";
import { deleteKeys } from "./delete-keys.js";
import { noWorkers, wireFromReason } from "./distributed-errors.js";
import type { DistributedSettings } from "./distributed-execution.js";
import { type DistributedExecutorOptions, distributedSettings } from "./distributed-executor.js";
import { connectRedis } from "./distributed-worker.js";
import { announceChannel, SearchKeys, searchesKey } from "./run-keys.js";
import type { SearchEpoch, SearchJobData, SearchJobResult } from "./search-job.js";
import { watchedQueue } from "./watched-queue.js";
import { isWorkerLive, liveWorkers } from "./worker-registry.js";

/** A search pool on the distributed executor's workers, connected to Redis. */
export interface DistributedSearchPool extends SearchPool {
  /** The Redis URL, password masked. */
  readonly redis: string;
  /** Waits for searches in progress to let go of their keys, then disconnects. Idempotent. */
  close(): Promise<void>;
}

/** A worker process's queue of one search, its events, and the stalled-job checker run on it. */
interface EpochQueue {
  readonly queue: Queue<SearchJobData, SearchJobResult>;
  readonly events: QueueEvents;
  readonly checker: Worker<SearchJobData, SearchJobResult>;
}

/** An epoch of one search worker waiting for its result. */
interface Pending {
  readonly epoch: number;
  readonly data: SearchJobData;
  owner: string;
  /** The id of the latest job of this epoch (an epoch handed to another process gets a new one). */
  job: string;
  attempt: number;
  resolve(report: EpochReport): void;
  reject(error: Error): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One search's epochs on worker processes. Search worker `i` lives on process `i mod #slots`
 * (processes sorted by name, each with as many slots as its `--threads`, as devices are dealt),
 * which keeps its engine in memory between epochs. Each job carries every epoch of its worker
 * so far, so when a process is lost (its registration expired while it had no job active, or
 * its job stalled) the epoch goes to another process, which rebuilds the engine by replaying
 * them: a lost process costs time, never the front. Whichever job of an epoch finishes first is
 * its result (every replay gives the same one).
 */
class DistributedSearch implements SearchSession {
  private readonly keys: SearchKeys;
  private readonly queues = new Map<string, EpochQueue>();
  private readonly history: SearchEpoch[][];
  private readonly owners: string[];
  private readonly pending = new Map<number, Pending>();
  private readonly lost = new Set<string>();
  private monitor: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly client: Redis,
    private readonly settings: DistributedSettings,
    readonly id: string,
    setups: number,
    owners: readonly string[],
  ) {
    this.keys = new SearchKeys(settings.prefix, id);
    this.history = Array.from({ length: setups }, () => []);
    this.owners = owners.slice();
  }

  async start(setups: readonly SearchWorkerSetup[]): Promise<void> {
    const ttlMs = this.settings.runTimeoutMs + 60_000;
    await this.client
      .multi()
      .hset(this.keys.meta, "setups", JSON.stringify(setups), "lockDurationMs", this.settings.lockDurationMs)
      .pexpire(this.keys.meta, ttlMs)
      .exec();
    await Promise.all([...new Set(this.owners)].map((w) => this.openQueue(w)));
    await this.client.sadd(searchesKey(this.settings.prefix), this.id);
    await this.client.publish(announceChannel(this.settings.prefix), this.id);
    this.monitor = setInterval(() => this.check(), this.settings.monitorMs);
  }

  epoch(
    worker: number,
    limit: SearchEpoch["limit"],
    incoming: readonly SharedMember[],
  ): Promise<EpochReport> {
    const epochs = this.history[worker]!;
    epochs.push({ limit, incoming });
    const data: SearchJobData = {
      version: 1,
      kind: "tessera-search-epoch",
      search: this.id,
      worker,
      epochs: epochs.slice(),
    };
    return new Promise<EpochReport>((resolve, reject) => {
      const p: Pending = {
        epoch: epochs.length,
        data,
        owner: this.owners[worker]!,
        job: "",
        attempt: 0,
        resolve,
        reject,
      };
      this.pending.set(worker, p);
      this.send(worker, p);
    });
  }

  async close(): Promise<void> {
    if (this.monitor !== undefined) clearInterval(this.monitor);
    for (const p of this.pending.values()) p.reject(new Error(`search ${this.id} closed`));
    this.pending.clear();
    await this.client.srem(searchesKey(this.settings.prefix), this.id).catch(() => {});
    await Promise.all(
      [...this.queues.values()].map(async (q) => {
        await q.queue.obliterate({ force: true }).catch(() => {});
        await Promise.all([q.checker.close(true), q.events.close(), q.queue.close()]).catch(() => {});
      }),
    );
    this.queues.clear();
    await deleteKeys(this.client, this.keys.patterns);
  }

  private send(worker: number, p: Pending): void {
    p.job = `${worker}-${p.epoch}-${p.attempt}`;
    const entry = this.queues.get(p.owner);
    if (entry === undefined) {
      p.reject(new Error(`no queue for worker process ${p.owner}`));
      return;
    }
    entry.queue
      .add("epoch", p.data, { jobId: p.job, attempts: 1, removeOnComplete: true, removeOnFail: true })
      .catch((e: unknown) => p.reject(this.redisLost(`adding an epoch: ${String(e)}`)));
  }

  private async openQueue(worker: string): Promise<void> {
    if (this.queues.has(worker)) return;
    // As for runs: a dead process cannot check its own queue for stalled jobs.
    const { queue, events, checker } = watchedQueue<SearchJobData, SearchJobResult>(
      this.keys.queue(worker),
      this.settings,
    );
    this.queues.set(worker, { queue, events, checker });
    events.on("completed", ({ jobId, returnvalue }) => {
      const p = this.pendingOf(jobId, false);
      if (p === undefined) return;
      this.pending.delete(p.data.worker);
      p.resolve((typeof returnvalue === "string" ? JSON.parse(returnvalue) : returnvalue) as EpochReport);
    });
    events.on("failed", ({ jobId, failedReason }) => {
      const p = this.pendingOf(jobId, true);
      if (p === undefined) return;
      if (/stalled more than allowable limit/i.test(failedReason)) {
        this.onLost(worker);
        return;
      }
      this.pending.delete(p.data.worker);
      p.reject(this.epochFailed(p, worker, failedReason));
    });
    events.on("stalled", () => this.onLost(worker));
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), checker.waitUntilReady()]);
    void checker.startStalledCheckTimer().catch(() => {});
  }

  /** The pending epoch `jobId` is a job of (`latest`: only its latest job counts). */
  private pendingOf(jobId: string, latest: boolean): Pending | undefined {
    const m = /^(\d+)-(\d+)-\d+$/.exec(jobId);
    if (m === null) return undefined;
    const p = this.pending.get(Number(m[1]));
    if (p === undefined || p.epoch !== Number(m[2])) return undefined;
    return latest && p.job !== jobId ? undefined : p;
  }

  private epochFailed(p: Pending, worker: string, reason: string): TesseraError {
    const wire = wireFromReason(reason);
    const own = tesseraErrorFromWire(wire);
    const context = { search: this.id, worker: p.data.worker, epoch: p.epoch, process: worker };
    if (own !== undefined && ["invalid_job", "redis_unavailable"].includes(own.code))
      return new TesseraError(own.code, own.summary, { ...own.context, ...context });
    return new TesseraError(
      "search_failed",
      `epoch ${p.epoch} of search worker ${p.data.worker} failed on worker process ${worker}: ${wire.message}`,
      context,
    );
  }

  private redisLost(what: string): TesseraError {
    return new TesseraError(
      "redis_unavailable",
      `Redis at ${this.settings.target.display} failed during search ${this.id} (${what})`,
      { search: this.id, redis: this.settings.target.display },
    );
  }

  /** Every pending epoch owned by a process whose registration expired while it had no job active moves. */
  private check(): void {
    if (this.checking) return;
    this.checking = true;
    void (async () => {
      for (const owner of new Set([...this.pending.values()].map((p) => p.owner))) {
        if (await isWorkerLive(this.client, this.settings.prefix, owner)) continue;
        // A process deep in a long epoch may miss heartbeats: while its job holds the lock, the
        // stalled check decides.
        const entry = this.queues.get(owner);
        if (entry !== undefined && (await entry.queue.getActiveCount()) > 0) continue;
        this.onLost(owner);
      }
    })()
      .catch(() => {})
      .finally(() => {
        this.checking = false;
      });
  }

  /** Hands the pending epochs of process `worker` to other live processes (their engines are replayed there). */
  private onLost(worker: string): void {
    const moving = [...this.pending.values()].filter((p) => p.owner === worker);
    if (moving.length === 0) return;
    this.lost.add(worker);
    void (async () => {
      const until = Date.now() + this.settings.noWorkersGraceMs;
      for (;;) {
        const live = await liveWorkers(this.client, this.settings.prefix);
        // Another process if there is one; the same one again if it was only late.
        const others = live.filter((w) => !this.lost.has(w.name));
        const choice = others.length > 0 ? others : live;
        if (choice.length > 0) {
          for (const [k, p] of moving.entries()) {
            if (this.pending.get(p.data.worker) !== p) continue;
            const to = choice[(p.data.worker + k) % choice.length]!.name;
            await this.openQueue(to);
            this.owners[p.data.worker] = to;
            p.owner = to;
            p.attempt++;
            this.send(p.data.worker, p);
          }
          return;
        }
        if (Date.now() >= until) {
          const error = noWorkers(this.settings.target.display, this.settings.noWorkersGraceMs, [
            ...this.lost,
          ]);
          for (const p of moving) if (this.pending.get(p.data.worker) === p) p.reject(error);
          return;
        }
        await sleep(Math.min(200, this.settings.noWorkersGraceMs));
      }
    })().catch((e: unknown) => {
      for (const p of moving) p.reject(e as Error);
    });
  }
}

/**
 * A search pool on the distributed executor's workers (`tessera worker` processes registered
 * at `options.redis`): pass it as `searchPlans(..., { workers, pool })`. Each search gets its
 * own id, keys and queues, deleted when it ends; `no_workers` when no process is registered
 * within `noWorkersGraceMs`, `search_failed` when an epoch fails on a process. Only evaluation
 * budgets give the same front as threads (a time budget's epochs end by the clock).
 */
export async function createDistributedSearchPool(
  options: DistributedExecutorOptions = {},
): Promise<DistributedSearchPool> {
  const settings = distributedSettings(options);
  const client = await connectRedis(settings.target);
  const searches = new Set<DistributedSearch>();
  let closing: Promise<void> | undefined;
  return {
    redis: settings.target.display,
    async open(setups) {
      if (closing !== undefined)
        throw new TesseraError("executor_closed", "this distributed search pool is closed", {});
      const until = Date.now() + settings.noWorkersGraceMs;
      let workers = await liveWorkers(client, settings.prefix);
      while (workers.length === 0) {
        if (Date.now() >= until) throw noWorkers(settings.target.display, settings.noWorkersGraceMs, []);
        await sleep(Math.min(200, settings.noWorkersGraceMs));
        workers = await liveWorkers(client, settings.prefix);
      }
      const slots = workers.flatMap((w) => Array.from({ length: w.threads }, () => w.name));
      const owners = setups.map((_, i) => slots[i % slots.length]!);
      const id = randomUUID().replace(/-/g, "").slice(0, 16);
      const search = new DistributedSearch(client, settings, id, setups.length, owners);
      searches.add(search);
      try {
        await search.start(setups);
      } catch (error) {
        await search.close().catch(() => {});
        searches.delete(search);
        throw error;
      }
      return {
        epoch: (i, limit, incoming) => search.epoch(i, limit, incoming),
        close: async () => {
          searches.delete(search);
          await search.close();
        },
      };
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...searches].map((s) => s.close()));
        client.disconnect();
      })();
      return closing;
    },
  };
}

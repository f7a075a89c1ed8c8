import { DTYPE_BYTES } from "../../base/dtype.js";
import type { TesseraError } from "../../base/errors.js";
import { FirstFailure } from "../../base/first-failure.js";
import { nullRecord } from "../../base/json.js";
import { type Region, sliceRegion, writeRegion, zeroRegion } from "../../kernels/region.js";
import type { Task } from "../../plan/task-graph.js";
import { sourceKey } from "../../plan/task-graph.js";
import type { BackendStats } from "../backend/kernel-backend.js";
import { initialLoads } from "./initial-loads.js";
import { type KeptInputs, loadId } from "./kept-inputs.js";
import type { PreparedRun } from "./prepare-run.js";
import type { FromWorker } from "./protocol.js";
import type { RecycledBuffers } from "./recycled-buffers.js";
import { packRegion, rangeToWire, regionFromWire, TRANSFER_MODE } from "./region-wire.js";
import { describeTask, taskFailed, workerCrashed } from "./run-errors.js";
import type { RunTrace, ThreadReport, TracedTask, TracedTransfer } from "./run-result.js";
import { Schedule, type ScheduleAction } from "./schedule.js";
import { TaskOrders } from "./task-orders.js";
import type { ThreadMap } from "./thread-map.js";
import type { PoolListener, WorkerPool } from "./worker-pool.js";

/** Everything one run on a pool is started with. */
export interface ExecutionSetup {
  /** The run's number in its pool. */
  readonly run: number;
  readonly prepared: PreparedRun;
  /** The plan's devices on the pool's threads (threads `0 … map.threads - 1` take part). */
  readonly map: ThreadMap;
  readonly pool: WorkerPool;
  /** What the pool's workers keep between runs; updated as this run's loads are posted. */
  readonly kept: KeptInputs;
  /** Buffers to copy this run's inputs into; the workers give theirs back at the end of the run. */
  readonly recycled: RecycledBuffers;
}

/** Ended-in-every-worker: the counters of each thread's backend, during the run and in total. */
export interface RunEnd {
  readonly backend: readonly BackendStats[];
  readonly total: readonly BackendStats[];
}

/** What an execution produced: program outputs, traffic counted at receivers, per-thread reports. */
export interface ExecutionReport {
  readonly outputs: Record<string, Region>;
  readonly bytesMoved: number;
  readonly transfersMoved: number;
  /** Program-input bytes copied into the workers (inputs kept from an earlier run are not). */
  readonly bytesLoaded: number;
  readonly threads: readonly ThreadReport[];
  /** Per-thread backend counters since each thread started. */
  readonly totals: readonly BackendStats[];
  readonly phases: { loadMs: number; computeMs: number; fetchMs: number; endMs: number };
  readonly trace: RunTrace;
}

/**
 * One run of a plan on a pool of worker threads: the coordinator side. It holds the task graph
 * and the schedule, tells workers what to load, send, run and fetch, and turns every way a run
 * can fail into one rejection (`failed`) that every wait races against, so nothing ever hangs.
 * Whether it succeeds or fails, `end` returns the workers to a clean state (the pool halting
 * ends it too).
 */
export class LocalExecution implements PoolListener {
  private readonly setup: ExecutionSetup;
  private readonly schedule: Schedule;
  private readonly orders: TaskOrders;
  private readonly tasks: ReadonlyMap<string, Task>;
  private readonly failure = new FirstFailure();
  private readonly failed = this.failure.failed;
  private readonly fail = this.failure.fail;
  /**
   * Rejects once the pool halts. This run's own, not `setup.pool.halted`: reactions added to the
   * pool's promise by every run would keep every run alive.
   */
  private readonly halting = new FirstFailure();
  private readonly halted = this.halting.failed;
  private readonly finished: Promise<void>;
  private finish: () => void = () => {};
  private nextRequest = 0;
  private readonly fetches = new Map<number, (region: Region) => void>();
  private readonly ends = new Map<number, (stats: { backend: BackendStats; total: BackendStats }) => void>();
  private ending: Promise<RunEnd> | undefined;
  private readonly busy: { tasks: number; busyMs: number }[];
  private bytesMoved = 0;
  private transfersMoved = 0;
  /** Start of the compute phase, and when each task was dispatched and each transfer sent (by id). */
  private computeStart = 0;
  private readonly dispatched = new Map<string, number>();
  private readonly sent = new Map<number, number>();
  private readonly traced: { tasks: TracedTask[]; transfers: TracedTransfer[] } = {
    tasks: [],
    transfers: [],
  };

  /** A run of `setup.prepared` on `setup.pool`; nothing is posted until `run`. */
  constructor(setup: ExecutionSetup) {
    this.setup = setup;
    const { graph, plan } = setup.prepared;
    this.schedule = new Schedule(graph, setup.map);
    this.orders = new TaskOrders(plan, graph);
    this.tasks = new Map(graph.tasks.map((t) => [t.id, t]));
    this.busy = setup.map.devicesOf.map(() => ({ tasks: 0, busyMs: 0 }));
    this.finished = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
  }

  /** Runs every task, then fetches the program outputs and ends the run in every worker. */
  async run(): Promise<ExecutionReport> {
    const { prepared, map, run } = this.setup;
    const { plan, graph, inputs, program, fault } = prepared;
    const t0 = performance.now();
    const loads = initialLoads(plan, graph, inputs);
    const keep = prepared.keepInputs;
    const reused = new Set(loads.filter((l) => keep && this.setup.kept.has(map.threadOf(l.device), l)));
    map.devicesOf.forEach((devices, thread) => {
      const mine = [...reused].filter((l) => map.threadOf(l.device) === thread).map(loadId);
      this.post(thread, { type: "begin", run, devices, program, fault, keep: mine });
    });
    let bytesLoaded = 0;
    const { recycled } = this.setup;
    for (const load of loads) {
      if (reused.has(load)) continue;
      const bytes = load.range.size * DTYPE_BYTES[load.value.dtype];
      const { wire, transferList } = packRegion(load.value, load.range, TRANSFER_MODE, recycled.take(bytes));
      bytesLoaded += wire.data.byteLength;
      const keepAs = keep ? loadId(load) : null;
      this.post(
        map.threadOf(load.device),
        { type: "load", device: load.device, key: load.key, region: wire, keepAs },
        [...transferList],
      );
    }
    recycled.clear();
    map.devicesOf.forEach((_, thread) => {
      this.setup.kept.replace(thread, keep ? loads.filter((l) => map.threadOf(l.device) === thread) : []);
    });
    const t1 = performance.now();
    this.computeStart = t1;
    this.perform(this.schedule.start());
    if (this.schedule.finished) this.finish();
    await Promise.race([this.finished, this.failed]);
    const t2 = performance.now();
    const outputs = await Promise.race([this.collectOutputs(), this.failed]);
    const t3 = performance.now();
    const ended = await Promise.race([this.end(), this.failed]);
    const t4 = performance.now();
    return {
      outputs,
      bytesMoved: this.bytesMoved,
      transfersMoved: this.transfersMoved,
      bytesLoaded,
      threads: map.devicesOf.map((devices, thread) => ({
        thread,
        devices,
        tasks: this.busy[thread]!.tasks,
        busyMs: this.busy[thread]!.busyMs,
        backend: ended.backend[thread]!,
      })),
      totals: ended.total,
      phases: { loadMs: t1 - t0, computeMs: t2 - t1, fetchMs: t3 - t2, endMs: t4 - t3 },
      trace: this.traced,
    };
  }

  /**
   * Ends the run in every worker taking part (idempotent): each waits for the task it is
   * running, drops the run's stores and reports its backend counters. After a failure this is
   * what makes the pool usable again; it rejects if the pool halts first.
   */
  end(): Promise<RunEnd> {
    this.ending ??= Promise.race([
      Promise.all(
        this.setup.map.devicesOf.map((_, thread) => {
          const reply = new Promise<{ backend: BackendStats; total: BackendStats }>((resolve) =>
            this.ends.set(thread, resolve),
          );
          this.post(thread, { type: "end" });
          return reply;
        }),
      ).then((all) => ({ backend: all.map((e) => e.backend), total: all.map((e) => e.total) })),
      this.halted,
    ]);
    return this.ending;
  }

  /** The pool halted (a crash, or shut down): the run fails with that reason, and so does its end. */
  onHalt(reason: Error): void {
    this.fail(reason);
    this.halting.fail(reason);
  }

  /** The `worker_crashed` error naming what `thread` was doing in this run. */
  crashError(thread: number, cause: string, during?: string): TesseraError {
    const task = this.schedule.runningOn(thread);
    const doing = during ?? (task === undefined ? "not running a task" : `running ${this.describe(task)}`);
    const devices = this.setup.map.devicesOf[thread] ?? [];
    return workerCrashed(thread, devices, doing, cause, task?.id ?? null);
  }

  /** Handles a message of a worker taking part; after a failure only the end of the run matters. */
  onMessage(thread: number, m: FromWorker): void {
    if (m.type === "ended") {
      this.setup.recycled.give(m.buffers);
      this.ends.get(thread)?.(m);
      this.ends.delete(thread);
      return;
    }
    if (this.failure.error !== undefined) return;
    switch (m.type) {
      case "arrived": {
        const transfer = this.setup.prepared.graph.transfers[m.transfer];
        if (transfer !== undefined)
          this.traced.transfers.push({
            transfer: m.transfer,
            from: transfer.from,
            to: transfer.to,
            bytes: m.bytes,
            sentMs: (this.sent.get(m.transfer) ?? this.computeStart) - this.computeStart,
            arrivedMs: performance.now() - this.computeStart,
          });
        this.bytesMoved += m.bytes;
        this.transfersMoved++;
        this.perform(this.schedule.transferArrived(m.transfer));
        return;
      }
      case "done": {
        const stats = this.busy[thread]!;
        stats.tasks++;
        stats.busyMs += m.busyMs;
        const task = this.tasks.get(m.task);
        this.traced.tasks.push({
          task: m.task,
          device: task?.device ?? "",
          dispatchedMs: (this.dispatched.get(m.task) ?? this.computeStart) - this.computeStart,
          doneMs: performance.now() - this.computeStart,
          busyMs: m.busyMs,
        });
        this.perform(this.schedule.taskDone(m.task));
        this.setup.prepared.onProgress?.(this.schedule.doneCount, this.setup.prepared.graph.tasks.length);
        if (this.schedule.finished) this.finish();
        return;
      }
      case "failed": {
        const task = this.tasks.get(m.task)!;
        this.fail(taskFailed(task, this.orders.kernelOf(task.op), m.error));
        return;
      }
      case "fetched":
        this.fetches.get(m.request)?.(regionFromWire(m.region));
        this.fetches.delete(m.request);
        return;
      default:
        return;
    }
  }

  private post(
    thread: number,
    message: Parameters<WorkerPool["post"]>[1],
    transferList?: ArrayBuffer[],
  ): void {
    this.setup.pool.post(thread, message, transferList);
  }

  private describe(task: Task): string {
    return describeTask(task, this.orders.kernelOf(task.op));
  }

  private perform(actions: readonly ScheduleAction[]): void {
    const { map } = this.setup;
    for (const a of actions) {
      if (a.kind === "run") {
        this.dispatched.set(a.task.id, performance.now());
        this.post(a.thread, { type: "run", task: this.orders.order(a.task) });
        continue;
      }
      const t = a.transfer;
      this.sent.set(t.id, performance.now());
      this.post(map.threadOf(t.from), {
        type: "send",
        transfer: t.id,
        from: t.from,
        to: t.to,
        thread: map.threadOf(t.to),
        key: sourceKey(t.source),
        range: rangeToWire(t.region),
      });
    }
  }

  private fetch(device: string, key: string, region: Region["range"]): Promise<Region> {
    const request = this.nextRequest++;
    const reply = new Promise<Region>((resolve) => this.fetches.set(request, resolve));
    this.post(this.setup.map.threadOf(device), {
      type: "fetch",
      request,
      device,
      key,
      range: rangeToWire(region),
    });
    return reply;
  }

  /** Each program output assembled from its final writers, fetched from the devices holding them. */
  private async collectOutputs(): Promise<Record<string, Region>> {
    const { plan, graph, inputs } = this.setup.prepared;
    const out = nullRecord<Region>();
    await Promise.all(
      plan.program.outputs.map(async (id) => {
        const decl = plan.program.tensors.find((t) => t.id === id)!;
        const writers = graph.writers[id] ?? [];
        const only = writers.length === 1 ? writers[0]! : undefined;
        if (only !== undefined && only.device !== null && only.region.equals(decl.range)) {
          // One device holds all of it: the fetched copy is the output, no second copy.
          out[id] = await this.fetch(only.device, sourceKey(only.source), only.region);
          return;
        }
        const value = zeroRegion(decl.dtype, decl.range);
        out[id] = value;
        await Promise.all(
          writers.map(async (w) => {
            // A pre-distributed program input that is also an output lives nowhere in particular.
            const part =
              w.device === null && w.source.kind === "input"
                ? sliceRegion(inputs[w.source.tensor]!, w.region)
                : await this.fetch(w.device!, sourceKey(w.source), w.region);
            writeRegion(value, part);
          }),
        );
      }),
    );
    return out;
  }
}

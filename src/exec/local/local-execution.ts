import { MessageChannel, type MessagePort, type TransferListItem, Worker } from "node:worker_threads";
import type { JsonValue } from "../../base/json.js";
import { type Region, sliceRegion, writeRegion, zeroRegion } from "../../kernels/region.js";
import type { Plan } from "../../plan/plan.js";
import type { Task, TaskGraph } from "../../plan/task-graph.js";
import type { BackendName, BackendStats } from "../backend/kernel-backend.js";
import { initialLoads } from "./initial-loads.js";
import type { FaultInjection, FromWorker, ToWorker, WorkerInit } from "./protocol.js";
import { packRegion, rangeToWire, regionFromWire, sourceKey } from "./region-wire.js";
import { describeTask, taskFailed, workerCrashed } from "./run-errors.js";
import { Schedule, type ScheduleAction } from "./schedule.js";
import { TaskOrders } from "./task-orders.js";
import type { ThreadMap } from "./thread-map.js";
import { tesseraErrorFromWire } from "./wire-error.js";
import { workerLaunch } from "./worker-script.js";

/** Everything a local execution is started with (options already checked). */
export interface ExecutionSetup {
  readonly plan: Plan;
  readonly program: JsonValue;
  readonly graph: TaskGraph;
  readonly inputs: Readonly<Record<string, Region>>;
  readonly map: ThreadMap;
  readonly kernelFiles: readonly string[];
  readonly backend: BackendName;
  readonly fault: FaultInjection | null;
  readonly onProgress: ((done: number, total: number) => void) | undefined;
}

/** What one worker thread did. */
export interface ThreadReport {
  readonly thread: number;
  readonly devices: readonly string[];
  readonly tasks: number;
  /** Time spent assembling inputs, computing and storing outputs of its tasks. */
  readonly busyMs: number;
  /** The thread's kernel backend counters. */
  readonly backend: BackendStats;
}

/** What an execution produced: program outputs, traffic counted at receivers, per-thread reports. */
export interface ExecutionReport {
  readonly outputs: Record<string, Region>;
  readonly bytesMoved: number;
  readonly transfersMoved: number;
  readonly threads: readonly ThreadReport[];
}

let live = 0;

/** Local-executor worker threads alive right now, for tests and diagnostics: 0 between runs. */
export function liveLocalWorkers(): number {
  return live;
}

/**
 * One run of a plan on worker threads: the coordinator side. It holds the task graph and the
 * schedule, tells workers what to load, send, run and fetch, and turns every way a worker can
 * fail into one rejection (`failed`) that every wait races against, so nothing ever hangs.
 * Call `terminate` when done, whatever happened.
 */
export class LocalExecution {
  private readonly setup: ExecutionSetup;
  private readonly workers: Worker[] = [];
  private readonly schedule: Schedule;
  private readonly orders: TaskOrders;
  private readonly tasks: ReadonlyMap<string, Task>;
  private readonly failed: Promise<never>;
  private readonly finished: Promise<void>;
  private fail: (error: Error) => void = () => {};
  private finish: () => void = () => {};
  private error: Error | undefined;
  private closing = false;
  private nextRequest = 0;
  private readonly fetches = new Map<number, (region: Region) => void>();
  private readonly closes = new Map<number, (stats: BackendStats) => void>();
  private readonly busy: { tasks: number; busyMs: number }[];
  private readonly started: boolean[];
  private bytesMoved = 0;
  private transfersMoved = 0;

  /** Starts one worker per thread of `setup.map`, connected pairwise by message ports. */
  constructor(setup: ExecutionSetup) {
    this.setup = setup;
    this.schedule = new Schedule(setup.graph, setup.map);
    this.orders = new TaskOrders(setup.plan, setup.graph);
    this.tasks = new Map(setup.graph.tasks.map((t) => [t.id, t]));
    this.busy = setup.map.devicesOf.map(() => ({ tasks: 0, busyMs: 0 }));
    this.started = setup.map.devicesOf.map(() => false);
    this.failed = new Promise<never>((_, reject) => {
      this.fail = (error) => {
        if (this.error !== undefined) return;
        this.error = error;
        reject(error);
      };
    });
    // Rejections are observed by whoever races `failed`; this keeps an unraced one from being "unhandled".
    this.failed.catch(() => {});
    this.finished = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    this.spawn();
  }

  /** Runs every task, then fetches the program outputs and the backends' counters. */
  async run(): Promise<ExecutionReport> {
    const { plan, graph, inputs, map } = this.setup;
    for (const load of initialLoads(plan, graph, inputs)) {
      const { wire, transferList } = packRegion(load.value, load.range);
      const message: ToWorker = { type: "load", device: load.device, key: load.key, region: wire };
      this.post(map.threadOf(load.device), message, transferList);
    }
    this.perform(this.schedule.start());
    if (this.schedule.finished) this.finish();
    await Promise.race([this.finished, this.failed]);
    const outputs = await Promise.race([this.collectOutputs(), this.failed]);
    const backends = await Promise.race([this.closeBackends(), this.failed]);
    return {
      outputs,
      bytesMoved: this.bytesMoved,
      transfersMoved: this.transfersMoved,
      threads: map.devicesOf.map((devices, thread) => ({
        thread,
        devices,
        tasks: this.busy[thread]!.tasks,
        busyMs: this.busy[thread]!.busyMs,
        backend: backends[thread]!,
      })),
    };
  }

  /** Terminates every worker (idempotent); resolves once all have exited. */
  async terminate(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private spawn(): void {
    const { map } = this.setup;
    const launch = workerLaunch();
    const ports: (MessagePort | null)[][] = map.devicesOf.map(() => map.devicesOf.map(() => null));
    for (let i = 0; i < map.threads; i++) {
      for (let j = i + 1; j < map.threads; j++) {
        const { port1, port2 } = new MessageChannel();
        ports[i]![j] = port1;
        ports[j]![i] = port2;
      }
    }
    map.devicesOf.forEach((devices, thread) => {
      const peers = ports[thread]!;
      const init: WorkerInit = {
        thread,
        devices,
        program: this.setup.program,
        kernelFiles: this.setup.kernelFiles,
        backend: this.setup.backend,
        peers,
        fault: this.setup.fault,
      };
      const worker = new Worker(launch.script, {
        eval: launch.eval,
        workerData: init,
        transferList: peers.filter((p): p is MessagePort => p !== null),
      });
      live++;
      worker.on("message", (m: FromWorker) => {
        try {
          this.onMessage(thread, m);
        } catch (error: unknown) {
          this.fail(error instanceof Error ? error : new Error(String(error)));
        }
      });
      worker.on("error", (error: Error) => this.crash(thread, `uncaught ${error.name}: ${error.message}`));
      worker.on("exit", (code) => {
        live--;
        if (!this.closing) this.crash(thread, `the thread exited with code ${code}`);
      });
      this.workers.push(worker);
    });
  }

  private post(thread: number, message: ToWorker, transferList: readonly TransferListItem[] = []): void {
    this.workers[thread]!.postMessage(message, transferList);
  }

  private crash(thread: number, cause: string, during?: string): void {
    const task = this.schedule.runningOn(thread);
    const idle = this.started[thread] ? "not running a task" : "starting";
    const doing = during ?? (task === undefined ? idle : `running ${this.describe(task)}`);
    this.fail(workerCrashed(thread, this.setup.map.devicesOf[thread]!, doing, cause, task?.id ?? null));
  }

  private describe(task: Task): string {
    return describeTask(task, this.orders.kernelOf(task.op));
  }

  private perform(actions: readonly ScheduleAction[]): void {
    const { map } = this.setup;
    for (const a of actions) {
      if (a.kind === "run") {
        this.post(a.thread, { type: "run", task: this.orders.order(a.task) });
        continue;
      }
      const t = a.transfer;
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

  private onMessage(thread: number, m: FromWorker): void {
    switch (m.type) {
      case "ready":
        this.started[thread] = true;
        return;
      case "init-failed":
        this.fail(
          tesseraErrorFromWire(m.error) ??
            workerCrashed(thread, this.setup.map.devicesOf[thread]!, "starting", m.error.message, null),
        );
        return;
      case "arrived":
        this.bytesMoved += m.bytes;
        this.transfersMoved++;
        this.perform(this.schedule.transferArrived(m.transfer));
        return;
      case "done": {
        const stats = this.busy[thread]!;
        stats.tasks++;
        stats.busyMs += m.busyMs;
        this.perform(this.schedule.taskDone(m.task));
        this.setup.onProgress?.(this.schedule.doneCount, this.setup.graph.tasks.length);
        if (this.schedule.finished) this.finish();
        return;
      }
      case "failed": {
        const task = this.tasks.get(m.task)!;
        this.fail(taskFailed(task, this.orders.kernelOf(task.op), m.error));
        return;
      }
      case "fault":
        this.crash(thread, m.error.message, `handling '${m.during}'`);
        return;
      case "fetched":
        this.fetches.get(m.request)?.(regionFromWire(m.region));
        this.fetches.delete(m.request);
        return;
      case "closed":
        this.closes.get(thread)?.(m.backend);
        this.closes.delete(thread);
        return;
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
    const { plan, graph, inputs } = this.setup;
    const out: Record<string, Region> = {};
    await Promise.all(
      plan.program.outputs.map(async (id) => {
        const decl = plan.program.tensors.find((t) => t.id === id)!;
        const value = zeroRegion(decl.dtype, decl.range);
        out[id] = value;
        await Promise.all(
          (graph.writers[id] ?? []).map(async (w) => {
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

  private async closeBackends(): Promise<BackendStats[]> {
    return Promise.all(
      this.workers.map((_, thread) => {
        const reply = new Promise<BackendStats>((resolve) => this.closes.set(thread, resolve));
        this.post(thread, { type: "close" });
        return reply;
      }),
    );
  }
}

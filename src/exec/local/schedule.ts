import type { Task, TaskGraph, Transfer } from "../../plan/task-graph.js";
import type { ThreadMap } from "./thread-map.js";

/** What the coordinator must do next: start a transfer, or run a task on its thread. */
export type ScheduleAction =
  | { readonly kind: "send"; readonly transfer: Transfer }
  | { readonly kind: "run"; readonly task: Task; readonly thread: number };

/**
 * The coordinator's bookkeeping, free of threads so it can be tested alone. Each thread runs
 * its tasks one at a time in graph order; a task is dispatched when it heads its thread's
 * queue, every task it reads from is done and every transfer it reads has arrived. A transfer
 * starts as soon as its source exists: at once for a home-placed program input, when its
 * producing task is done otherwise.
 *
 * This cannot deadlock: the earliest unfinished task in graph order reads only from earlier
 * (done) tasks and from inputs, so its transfers have all been started, and it heads its queue.
 */
export class Schedule {
  private readonly queues: Task[][];
  private readonly heads: number[];
  private readonly running: (Task | undefined)[];
  private readonly done = new Set<string>();
  private readonly arrived = new Set<number>();
  private readonly incoming = new Map<string, number[]>();
  private readonly bySource = new Map<string, Transfer[]>();
  private readonly graph: TaskGraph;

  /** A schedule of `graph` over the threads of `map`, nothing done yet. */
  constructor(graph: TaskGraph, map: ThreadMap) {
    this.graph = graph;
    this.queues = Array.from({ length: map.threads }, () => []);
    for (const t of graph.tasks) this.queues[map.threadOf(t.device)]!.push(t);
    this.heads = this.queues.map(() => 0);
    this.running = this.queues.map(() => undefined);
    for (const t of graph.tasks) {
      const ids = (graph.reads[t.id] ?? []).flatMap((p) => (p.transfer === null ? [] : [p.transfer]));
      this.incoming.set(t.id, [...new Set(ids)]);
    }
    for (const tr of graph.transfers) {
      const key = tr.source.kind === "task" ? tr.source.task : "";
      const list = this.bySource.get(key) ?? [];
      list.push(tr);
      this.bySource.set(key, list);
    }
  }

  /** The first actions: transfers of home-placed inputs, and every task ready from the start. */
  start(): ScheduleAction[] {
    const sends = (this.bySource.get("") ?? []).map((transfer) => ({ kind: "send", transfer }) as const);
    return [...sends, ...this.dispatch()];
  }

  /** Records that `taskId` finished; returns the transfers it feeds and the tasks now ready. */
  taskDone(taskId: string): ScheduleAction[] {
    this.done.add(taskId);
    const thread = this.running.findIndex((t) => t?.id === taskId);
    if (thread >= 0) this.running[thread] = undefined;
    const sends = (this.bySource.get(taskId) ?? []).map((transfer) => ({ kind: "send", transfer }) as const);
    return [...sends, ...this.dispatch()];
  }

  /** Records that transfer `id` arrived; returns the tasks now ready. */
  transferArrived(id: number): ScheduleAction[] {
    this.arrived.add(id);
    return this.dispatch();
  }

  /** The task `thread` is running, if any. */
  runningOn(thread: number): Task | undefined {
    return this.running[thread];
  }

  /** Tasks done so far. */
  get doneCount(): number {
    return this.done.size;
  }

  /** True once every task is done. */
  get finished(): boolean {
    return this.done.size === this.graph.tasks.length;
  }

  private ready(task: Task): boolean {
    return (
      (this.graph.deps[task.id] ?? []).every((d) => this.done.has(d)) &&
      this.incoming.get(task.id)!.every((t) => this.arrived.has(t))
    );
  }

  private dispatch(): ScheduleAction[] {
    const out: ScheduleAction[] = [];
    this.queues.forEach((queue, thread) => {
      if (this.running[thread] !== undefined) return;
      const next = queue[this.heads[thread]!];
      if (next === undefined || !this.ready(next)) return;
      this.heads[thread]!++;
      this.running[thread] = next;
      out.push({ kind: "run", task: next, thread });
    });
    return out;
  }
}

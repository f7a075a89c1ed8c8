import type { DType } from "../../base/dtype.js";
import type { Plan } from "../../plan/plan.js";
import { sourceKey, type TaskGraph, type Writer } from "../../plan/task-graph.js";
import type { InitialLoad } from "../local/initial-loads.js";
import { rangeToWire } from "../local/region-wire.js";
import type { TaskOrders } from "../local/task-orders.js";
import type { JobGet, JobPut, JobStep } from "./job.js";

/** A final writer of a program output, numbered for its Redis key (`RunKeys.output(n)`). */
export interface OutputWriter {
  readonly n: number;
  readonly tensor: string;
  readonly writer: Writer;
}

/** The final writers of every program output, numbered in program order. */
export function outputWriters(plan: Plan, graph: TaskGraph): OutputWriter[] {
  const out: OutputWriter[] = [];
  for (const tensor of plan.program.outputs) {
    for (const writer of graph.writers[tensor] ?? []) out.push({ n: out.length, tensor, writer });
  }
  return out;
}

/**
 * The job step of every task (by index in `graph.tasks`): what it reads and what it writes. A task reads from Redis exactly its incoming transfers and its device's
 * program-input regions (`loads`, numbered as `RunKeys.input(n)`); what another task of the
 * same device produced it finds in its worker's memory. It writes exactly its outgoing
 * transfers and its program-output blocks. So the transfer bytes through Redis are exactly
 * the task graph's derived transfers.
 */
export function runSteps(
  plan: Plan,
  graph: TaskGraph,
  orders: TaskOrders,
  loads: readonly InitialLoad[],
): JobStep[] {
  const dtypes = new Map<string, DType>(plan.program.tensors.map((t) => [t.id, t.dtype]));
  const loadIndex = new Map(loads.map((l, n) => [`${l.device}|${l.key}|${l.range}`, n]));
  const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device]));
  const puts = new Map<string, JobPut[]>();
  const addPut = (task: string, put: JobPut) => {
    const list = puts.get(task) ?? [];
    list.push(put);
    puts.set(task, list);
  };
  for (const t of graph.transfers) {
    if (t.source.kind !== "task") continue;
    addPut(t.source.task, {
      key: sourceKey(t.source),
      to: "transfer",
      n: t.id,
      range: rangeToWire(t.region),
    });
  }
  for (const w of outputWriters(plan, graph)) {
    const s = w.writer.source;
    if (s.kind !== "task") continue;
    addPut(s.task, { key: sourceKey(s), to: "output", n: w.n, range: rangeToWire(w.writer.region) });
  }
  return graph.tasks.map((task) => {
    const gets = new Map<string, JobGet>();
    for (const p of graph.reads[task.id] ?? []) {
      const key = sourceKey(p.source);
      const dtype = dtypes.get(p.tensor)!;
      if (p.transfer !== null) {
        gets.set(`t${p.transfer}`, {
          key,
          from: "transfer",
          n: p.transfer,
          dtype,
          range: rangeToWire(p.region),
        });
        continue;
      }
      if (p.source.kind !== "input") continue;
      // Pre-distributed: the piece itself was loaded; home-placed on this device: the whole tensor.
      const whole = plan.program.tensors.find((t) => t.id === p.tensor)!.range;
      const range = p.fromDevice === null ? p.region : whole;
      const device = p.fromDevice === null ? task.device : homes.get(p.tensor)!;
      const n = loadIndex.get(`${device}|${key}|${range}`)!;
      gets.set(`i${n}`, { key, from: "input", n, dtype, range: rangeToWire(range) });
    }
    return { order: orders.order(task), gets: [...gets.values()], puts: puts.get(task.id) ?? [] };
  });
}

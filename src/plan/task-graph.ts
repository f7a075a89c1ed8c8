import { DTYPE_BYTES } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import { nullRecord } from "../base/json.js";
import { topologicalOrder } from "../ir/dependencies.js";
import type { Monoid } from "../kernels/signature.js";
import { combineGeometry, shardGeometry } from "../shard/shard-geometry.js";
import type { ZRange } from "../zspace/z-range.js";
import type { Plan } from "./plan.js";
import { combineTaskId, shardTaskId } from "./task-id.js";

/** One output a task writes: a whole tensor block, or a partial block awaiting a combine. */
export interface TaskOutput {
  readonly name: string;
  readonly tensor: string;
  readonly region: ZRange;
  readonly partial: boolean;
}

/** Run one shard of an operation on a device. */
export interface ShardTask {
  readonly kind: "shard";
  readonly id: string;
  readonly op: string;
  readonly shard: number;
  readonly device: string;
  readonly range: ZRange;
  readonly outputs: readonly TaskOutput[];
}

/** Fold the partial outputs of one output block with the reduction's monoid, on a device. */
export interface CombineTask {
  readonly kind: "combine";
  readonly id: string;
  readonly op: string;
  readonly block: number;
  readonly device: string;
  readonly monoid: Monoid;
  /** The shard tasks whose partials fold here. */
  readonly parts: readonly string[];
  readonly outputs: readonly TaskOutput[];
}

/** A unit of work of a plan. */
export type Task = ShardTask | CombineTask;

/** Where data comes from: an output of a task, or a program input. */
export type Source =
  | { readonly kind: "task"; readonly task: string; readonly output: string }
  | { readonly kind: "input"; readonly tensor: string };

/**
 * A piece of what a task reads: the intersection of one region it needs with one region a
 * source holds. `fromDevice` is null for a pre-distributed input (already in place).
 */
export interface Piece {
  /** The operand of the consuming task (for a combine, the output being folded). */
  readonly operand: string;
  readonly source: Source;
  readonly tensor: string;
  readonly region: ZRange;
  readonly fromDevice: string | null;
  /** Index into `TaskGraph.transfers` when the piece crosses devices. */
  readonly transfer: number | null;
}

/** Bytes that cross from one device to another: derived, never special-cased. */
export interface Transfer {
  readonly id: number;
  readonly source: Source;
  readonly tensor: string;
  readonly region: ZRange;
  readonly bytes: number;
  readonly from: string;
  readonly to: string;
  /** True for partial results on their way to a combine. */
  readonly partial: boolean;
}

/** A region of a tensor's final value and where it lives once computed. */
export interface Writer {
  readonly source: Source;
  readonly region: ZRange;
  readonly device: string | null;
}

/**
 * Everything an executor or simulator needs: tasks in a dependency-respecting order, what each
 * reads and from where, the cross-device transfers, and the final writers of every tensor.
 */
export interface TaskGraph {
  readonly tasks: readonly Task[];
  readonly reads: Readonly<Record<string, readonly Piece[]>>;
  readonly deps: Readonly<Record<string, readonly string[]>>;
  readonly transfers: readonly Transfer[];
  readonly writers: Readonly<Record<string, readonly Writer[]>>;
}

/** A source's identity as a string: `t:task:output` for a task output, `i:tensor` for a program input. */
export function sourceKey(s: Source): string {
  return s.kind === "task" ? `t:${s.task}:${s.output}` : `i:${s.tensor}`;
}

/**
 * Derives the task graph of a plan. A consumer's input region is cut into the intersections
 * with every final writer of that tensor (shards, or combines when a reduction is split);
 * each intersection on another device is a transfer. A device receives a given region of a
 * given source once, however many of its shards read it. The result is exact: the pieces of
 * every read tile the region read, with no byte twice and none extra.
 */
export function deriveTaskGraph(plan: Plan): TaskGraph {
  const program = plan.program;
  const dtypes = new Map(program.tensors.map((t) => [t.id, t.dtype]));
  const opPlans = new Map(plan.operations.map((o) => [o.op, o]));
  const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device ?? null]));
  const writers = nullRecord<Writer[]>();
  for (const id of program.inputs) {
    const decl = program.tensors.find((t) => t.id === id)!;
    writers[id] = [
      { source: { kind: "input", tensor: id }, region: decl.range, device: homes.get(id) ?? null },
    ];
  }
  const tasks: Task[] = [];
  const reads = nullRecord<Piece[]>();
  const deps = nullRecord<string[]>();
  const transfers: Transfer[] = [];
  const sent = new Map<string, number>();

  const addWriter = (tensor: string, w: Writer) => {
    const list = writers[tensor] ?? [];
    list.push(w);
    writers[tensor] = list;
  };
  const read = (
    taskId: string,
    device: string,
    operand: string,
    tensor: string,
    need: ZRange,
    from: readonly Writer[],
    partial = false,
  ) => {
    const list = reads[taskId] ?? [];
    const depList = deps[taskId] ?? [];
    for (const w of from) {
      const region = w.region.intersect(need);
      // An empty need reads nothing: the kernel gets an empty region and no dependency.
      if (region.isEmpty()) continue;
      let transfer: number | null = null;
      if (w.device !== null && w.device !== device) {
        const key = `${sourceKey(w.source)}|${region}|${device}`;
        transfer = sent.get(key) ?? null;
        if (transfer === null) {
          transfer = transfers.length;
          sent.set(key, transfer);
          transfers.push({
            id: transfer,
            source: w.source,
            tensor,
            region,
            bytes: region.size * DTYPE_BYTES[dtypes.get(tensor)!],
            from: w.device,
            to: device,
            partial,
          });
        }
      }
      list.push({ operand, source: w.source, tensor, region, fromDevice: w.device, transfer });
      if (w.source.kind === "task" && !depList.includes(w.source.task)) depList.push(w.source.task);
    }
    reads[taskId] = list;
    deps[taskId] = depList;
  };

  for (const k of topologicalOrder(program.operations).order) {
    const op = program.operations[k]!;
    const opPlan = opPlans.get(op.id);
    if (opPlan === undefined)
      throw new TesseraError("plan_mismatch", `the plan has no entry for operation '${op.id}'`, {
        op: op.id,
      });
    const shards = shardGeometry(op, opPlan.sharding);
    const combines = combineGeometry(op, shards);
    const outTensor = new Map(op.outputs.map((s) => [s.name, s.tensor]));
    for (const s of shards) {
      const id = shardTaskId(op.id, s.shard);
      const device = opPlan.devices[s.shard]!;
      const outputs = Object.entries(s.outputs).map(([name, region]) => ({
        name,
        tensor: outTensor.get(name)!,
        region,
        partial: s.partial,
      }));
      tasks.push({ kind: "shard", id, op: op.id, shard: s.shard, device, range: s.range, outputs });
      reads[id] = [];
      deps[id] = [];
      for (const sel of op.inputs)
        read(id, device, sel.name, sel.tensor, s.inputs[sel.name]!, writers[sel.tensor] ?? []);
      if (!s.partial) {
        for (const o of outputs)
          addWriter(o.tensor, {
            source: { kind: "task", task: id, output: o.name },
            region: o.region,
            device,
          });
      }
    }
    for (const c of combines) {
      const id = combineTaskId(op.id, c.block);
      const device = opPlan.combineDevices?.[c.block] ?? opPlan.devices[c.parts[0]!]!;
      const parts = c.parts.map((p) => shardTaskId(op.id, p));
      const outputs = Object.entries(c.outputs).map(([name, region]) => ({
        name,
        tensor: outTensor.get(name)!,
        region,
        partial: false,
      }));
      tasks.push({
        kind: "combine",
        id,
        op: op.id,
        block: c.block,
        device,
        monoid: c.monoid,
        parts,
        outputs,
      });
      reads[id] = [];
      deps[id] = [];
      for (const o of outputs) {
        const partials = c.parts.map((p) => ({
          source: { kind: "task", task: shardTaskId(op.id, p), output: o.name } as const,
          region: o.region,
          device: opPlan.devices[p]!,
        }));
        for (const w of partials) read(id, device, o.name, o.tensor, o.region, [w], true);
        addWriter(o.tensor, {
          source: { kind: "task", task: id, output: o.name },
          region: o.region,
          device,
        });
      }
    }
  }
  return { tasks: orderTasks(plan, tasks, deps), reads, deps, transfers, writers };
}

function orderTasks(
  plan: Plan,
  tasks: readonly Task[],
  deps: Readonly<Record<string, readonly string[]>>,
): Task[] {
  if (plan.order === undefined) return tasks.slice();
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const seen = new Set<string>();
  const out: Task[] = [];
  plan.order.forEach((id, i) => {
    const task = byId.get(id);
    if (task === undefined || seen.has(id)) {
      throw new TesseraError(
        "invalid_order",
        `order entry ${i} '${id}' is ${task === undefined ? "not a task of this plan" : "listed twice"}`,
        {
          index: i,
          task: id,
        },
      );
    }
    const missing = (deps[id] ?? []).find((d) => !seen.has(d));
    if (missing !== undefined) {
      throw new TesseraError(
        "invalid_order",
        `task '${id}' is ordered before '${missing}', which it reads from`,
        { index: i, task: id, dependency: missing },
      );
    }
    seen.add(id);
    out.push(task);
  });
  const absent = tasks.find((t) => !seen.has(t.id));
  if (absent !== undefined) {
    throw new TesseraError("invalid_order", `the order leaves out task '${absent.id}'`, { task: absent.id });
  }
  return out;
}

/** Total bytes of the graph's transfers, optionally only between two devices. */
export function transferBytes(graph: TaskGraph): number {
  return graph.transfers.reduce((sum, t) => sum + t.bytes, 0);
}

import { nullRecord } from "../base/json.js";
import type { Monoid } from "../kernels/signature.js";
import type { ZRange } from "../zspace/z-range.js";
import type { Plan } from "./plan.js";
import {
  derivePlanTraffic,
  operationPlans,
  type PlanTraffic,
  taskDevices,
  trafficOrder,
} from "./plan-traffic.js";
import type { Source } from "./source.js";

export { type Source, sourceKey } from "./source.js";

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
  /** Which chunk of the block this step folds when the reduction is scattered (absent: the whole block). */
  readonly chunk?: number;
  readonly outputs: readonly TaskOutput[];
}

/** A unit of work of a plan. */
export type Task = ShardTask | CombineTask;

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

/**
 * Derives the task graph of a plan: a view of its traffic (`derivePlanTraffic`) with the plan's
 * placement applied. A consumer's input region is cut into the intersections with every final
 * writer of that tensor (shards, or combines when a reduction is split); each intersection on
 * another device is a transfer. A device receives a given region of a given source once,
 * however many of its shards read it. The result is exact: the pieces of every read tile the
 * region read, with no byte twice and none extra. Throws `plan_mismatch`,
 * `device_count_mismatch` and `invalid_order` for malformed plans.
 */
export function deriveTaskGraph(plan: Plan): TaskGraph {
  return taskGraphOf(plan, derivePlanTraffic(plan));
}

/** The task graph of `plan` from its already derived `traffic`. */
export function taskGraphOf(plan: Plan, traffic: PlanTraffic): TaskGraph {
  const { facts } = traffic;
  const program = plan.program;
  const plans = operationPlans(plan, facts);
  const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device ?? null]));
  const writers = nullRecord<Writer[]>();
  const inputWriters = new Map<number, Writer>();
  for (const id of program.inputs) {
    const t = facts.tensorIndex.get(id)!;
    const w: Writer = {
      source: { kind: "input", tensor: id },
      region: program.tensors[t]!.range,
      device: homes.get(id) ?? null,
    };
    inputWriters.set(t, w);
    writers[id] = [w];
  }
  const devices = plans.map((p, k) => taskDevices(traffic.tasks[k]!, p));
  const tasks: Task[] = [];
  const reads = nullRecord<Piece[]>();
  const deps = nullRecord<string[]>();
  const transfers: Transfer[] = [];
  // A device receives a given piece (interned source and region) once: keyed `piece|device`.
  const sent = new Map<string, number>();
  for (const k of facts.order) {
    const g = traffic.tasks[k]!;
    const r = traffic.reads[k]!;
    const placed = devices[k]!;
    const outTensor = new Map(g.op.outputs.map((s) => [s.name, s.tensor]));
    const nShards = g.shards.length;
    g.taskIds.forEach((id, j) => {
      const device = placed[j]!;
      if (j < nShards) {
        const s = g.shards[j]!;
        const outputs = Object.entries(s.outputs).map(([name, region]) => ({
          name,
          tensor: outTensor.get(name)!,
          region,
          partial: s.partial,
        }));
        tasks.push({ kind: "shard", id, op: g.op.id, shard: s.shard, device, range: s.range, outputs });
      } else {
        const c = g.combines[j - nShards]!;
        const outputs = Object.entries(c.outputs).map(([name, region]) => ({
          name,
          tensor: outTensor.get(name)!,
          region,
          partial: false,
        }));
        const parts = c.parts.map((p) => g.taskIds[p]!);
        const task: CombineTask = {
          kind: "combine",
          id,
          op: g.op.id,
          block: c.block,
          device,
          monoid: c.monoid,
          parts,
          outputs,
        };
        tasks.push(c.chunk === undefined ? task : { ...task, chunk: c.chunk });
      }
      const pieces: Piece[] = [];
      const depList: string[] = [];
      for (let p = r.start[j]!; p < r.start[j + 1]!; p++) {
        const info = r.info[p]!;
        const so = r.srcOp[p]!;
        const from = so < 0 ? inputWriters.get(r.srcTask[p]!)!.device : devices[so]![r.srcTask[p]!]!;
        let transfer: number | null = null;
        if (from !== null && from !== device) {
          const slot = `${r.key[p]!}|${device}`;
          transfer = sent.get(slot) ?? null;
          if (transfer === null) {
            transfer = transfers.length;
            sent.set(slot, transfer);
            transfers.push({
              id: transfer,
              source: info.source,
              tensor: info.tensor,
              region: info.region,
              bytes: r.bytes[p]!,
              from,
              to: device,
              partial: info.partial,
            });
          }
        }
        pieces.push({
          operand: info.operand,
          source: info.source,
          tensor: info.tensor,
          region: info.region,
          fromDevice: from,
          transfer,
        });
        if (so >= 0) {
          const dep = traffic.tasks[so]!.taskIds[r.srcTask[p]!]!;
          if (!depList.includes(dep)) depList.push(dep);
        }
      }
      reads[id] = pieces;
      deps[id] = depList;
    });
    for (const w of g.writers) {
      const list = writers[w.tensor] ?? [];
      list.push({ source: w.source, region: w.region, device: placed[w.task]! });
      writers[w.tensor] = list;
    }
  }
  if (plan.order === undefined) return { tasks, reads, deps, transfers, writers };
  const ordered = Array.from(trafficOrder(traffic, plan.order), (t) => tasks[t]!);
  return { tasks: ordered, reads, deps, transfers, writers };
}

/** Total bytes of the graph's transfers, optionally only between two devices. */
export function transferBytes(graph: TaskGraph): number {
  return graph.transfers.reduce((sum, t) => sum + t.bytes, 0);
}

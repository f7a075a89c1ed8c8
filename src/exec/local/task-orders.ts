import type { DType } from "../../base/dtype.js";
import type { Plan } from "../../plan/plan.js";
import type { Task, TaskGraph } from "../../plan/task-graph.js";
import { sourceKey } from "../../plan/task-graph.js";
import { type ShardGeometry, shardGeometry } from "../../shard/shard-geometry.js";
import type { OutputRef, PieceRef, TaskOrder } from "./protocol.js";
import { rangeToWire } from "./region-wire.js";

/**
 * Turns tasks into the plain orders workers run. Shard input regions come from the shard
 * geometry (projection of the shard's range clipped to the selection), the one rule the task
 * graph's pieces were cut from, so the pieces of an operand tile its region exactly.
 */
export class TaskOrders {
  private readonly geometry = new Map<string, readonly ShardGeometry[]>();
  private readonly dtypes: ReadonlyMap<string, DType>;
  private readonly kernels: ReadonlyMap<string, string>;
  private readonly plan: Plan;
  private readonly graph: TaskGraph;

  /** Orders for the tasks of `graph`, derived from `plan`. */
  constructor(plan: Plan, graph: TaskGraph) {
    this.plan = plan;
    this.graph = graph;
    this.dtypes = new Map(plan.program.tensors.map((t) => [t.id, t.dtype]));
    this.kernels = new Map(plan.program.operations.map((o) => [o.id, o.kernel]));
  }

  /** The kernel id of operation `op`. */
  kernelOf(op: string): string {
    return this.kernels.get(op) ?? "?";
  }

  /** The order for `task`. */
  order(task: Task): TaskOrder {
    const pieces: PieceRef[] = (this.graph.reads[task.id] ?? []).map((p) => ({
      operand: p.operand,
      key: sourceKey(p.source),
      range: rangeToWire(p.region),
    }));
    const outputs: OutputRef[] = task.outputs.map((o) => ({
      name: o.name,
      key: sourceKey({ kind: "task", task: task.id, output: o.name }),
      dtype: this.dtypes.get(o.tensor)!,
      range: rangeToWire(o.region),
    }));
    if (task.kind === "combine") {
      return {
        kind: "combine",
        id: task.id,
        op: task.op,
        device: task.device,
        monoid: task.monoid,
        pieces,
        outputs,
      };
    }
    const op = this.plan.program.operations.find((o) => o.id === task.op)!;
    const shape = this.shapes(task.op)[task.shard]!;
    const needs = op.inputs.map((sel) => ({
      operand: sel.name,
      dtype: this.dtypes.get(sel.tensor)!,
      range: rangeToWire(shape.inputs[sel.name]!),
    }));
    return {
      kind: "shard",
      id: task.id,
      op: task.op,
      device: task.device,
      range: rangeToWire(task.range),
      needs,
      pieces,
      outputs,
    };
  }

  private shapes(opId: string): readonly ShardGeometry[] {
    let shards = this.geometry.get(opId);
    if (shards === undefined) {
      const op = this.plan.program.operations.find((o) => o.id === opId)!;
      const opPlan = this.plan.operations.find((o) => o.op === opId)!;
      shards = shardGeometry(op, opPlan.sharding);
      this.geometry.set(opId, shards);
    }
    return shards;
  }
}

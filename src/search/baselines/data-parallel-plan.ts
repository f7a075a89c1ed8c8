import type { Cluster } from "../../cluster/cluster.js";
import type { Operation, Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { Plan } from "../../plan/plan.js";
import { batchAxes } from "../../shard/batch-axes.js";
import { followedIndexDim } from "../../shard/dimension-classes.js";
import type { DimSplit } from "../../zspace/z-range.js";
import { acceptsSplit } from "../accepts-split.js";
import { clusterDevices } from "../cluster-devices.js";

/**
 * The data-parallel baseline: every operation is cut along its batch index dimension into one
 * shard per device, shard `k` on device `k`; weights stay pre-distributed (each device holds
 * what its shards read, so whole weights: they are replicated).
 *
 * The batch comes from geometry (see `batchAxes`): the axis of the program outputs' leading
 * dimensions, which marks the activation inputs. In each operation the batch index dimension
 * is a non-reduction dimension on that axis that some output row follows; when several are
 * (self-attention's `scores` has queries and keys on the token axis) the one its output lists
 * first wins, so queries are split and keys gathered. Operations with no such dimension, or
 * whose split `gridSharding` refuses, run whole on the first device.
 *
 * `n` defaults to all of the cluster's devices and is capped by the batch size (the largest
 * batch extent of the activation inputs); an operation with a shorter batch gets fewer shards.
 */
export function dataParallelPlan(program: Program, cluster: Cluster, n?: number): Plan {
  const axes = batchAxes(program);
  const batchSize = Math.max(
    1,
    ...axes.activations.map(
      (a) => program.tensors.find((t) => t.id === a.tensor)!.range.shape.coords[a.dim]!,
    ),
  );
  const devices = clusterDevices(cluster, n).slice(0, batchSize);
  const splits: Record<string, DimSplit[]> = {};
  for (const op of program.operations) {
    const dim = batchIndexDim(op, axes.dimensions.index[op.id] ?? [], axes.classes);
    if (dim === undefined) continue;
    const split = [{ dim, parts: Math.min(devices.length, op.index.shape.coords[dim]!) }];
    if (split[0]!.parts > 1 && acceptsSplit(op, split)) splits[op.id] = split;
  }
  return makePlan(program, { devices, splits });
}

/** The index dimension of `op` on a batch axis that its outputs list first, if any. */
export function batchIndexDim(
  op: Operation,
  classes: readonly number[],
  batch: ReadonlySet<number>,
): number | undefined {
  const reductions = new Set(op.signature.reductions.map((r) => r.dim));
  const extents = op.index.shape.coords;
  for (const sel of op.outputs) {
    for (const row of op.signature.outputs[sel.name]!.projection.map.matrix) {
      const d = followedIndexDim(row, extents);
      if (d !== undefined && !reductions.has(d) && batch.has(classes[d]!)) return d;
    }
  }
  return undefined;
}

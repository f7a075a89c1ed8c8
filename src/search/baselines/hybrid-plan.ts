import type { Cluster } from "../../cluster/cluster.js";
import type { Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { Plan } from "../../plan/plan.js";
import { batchAxes } from "../../shard/batch-axes.js";
import type { DimSplit } from "../../zspace/z-range.js";
import { acceptsSplit } from "../accepts-split.js";
import { clusterDevices } from "../cluster-devices.js";
import { batchIndexDim } from "./data-parallel-plan.js";
import { tensorParallelAxes } from "./megatron-plan.js";

/**
 * The hybrid baseline `dp{a}×tp{b}` on `a·b` devices (Megatron-LM's 2-D layout): `a` data
 * parallel groups of `b` consecutive devices (a host's worth when `b` divides the host size,
 * so tensor-parallel traffic stays on the fast links). An operation on a tensor-parallel axis
 * (`tensorParallelAxes` for `b`) is cut `a` ways along its batch dimension and `b` ways along
 * the axis, shard `(i, j)` on device `i·b + j`; any other operation with a batch dimension is
 * cut `a` ways along it and `b` ways along its widest other non-reduction dimension (sequence
 * parallelism: a group's layer norms and residuals spread over its devices), or failing that
 * `a·b` ways along the batch alone. Operations with neither run whole on the first device. An
 * axis is used only when `b` divides its extent in every operation (heads split on divisors).
 * Returns `undefined` when the program has no such tensor-parallel axis for `b` or no batch
 * dimension of extent ≥ `a` to cut.
 */
export function hybridPlan(program: Program, cluster: Cluster, a: number, b: number): Plan | undefined {
  const devices = clusterDevices(cluster, a * b);
  const axes = batchAxes(program);
  const tp = new Map<string, number>();
  const ops = new Map(program.operations.map((op) => [op.id, op]));
  for (const axis of tensorParallelAxes(program, b)) {
    // Heads split on divisors only: 12 heads go 2, 3, 4 or 6 ways, never 8 (those operations
    // stay sequence-parallel in their group instead).
    const even = Object.entries(axis.dims).every(
      ([op, dim]) => ops.get(op)!.index.shape.coords[dim]! % b === 0,
    );
    if (axis.parts !== b || !even) continue;
    for (const [op, dim] of Object.entries(axis.dims)) tp.set(op, dim);
  }
  if (tp.size === 0) return undefined;
  const splits: Record<string, DimSplit[]> = {};
  const placement: Record<string, string[]> = {};
  let cutBatch = false;
  for (const op of program.operations) {
    const batch = batchIndexDim(op, axes.dimensions.index[op.id] ?? [], axes.classes);
    const axis = tp.get(op.id);
    const extents = op.index.shape.coords;
    // Tensor-parallel operations cut (batch, axis); the others (batch, widest other
    // non-reduction dimension), sequence-parallel style, so every group's `b` devices share them.
    const reductions = new Set(op.signature.reductions.map((r) => r.dim));
    const inner =
      axis ??
      extents
        .map((e, d) => ({ e, d }))
        .filter(({ e, d }) => d !== batch && e >= b && !reductions.has(d))
        .sort((x, y) => y.e - x.e || x.d - y.d)
        .find(({ d }) => batch !== undefined && acceptsSplit(op, [{ dim: d, parts: b }]))?.d;
    if (inner !== undefined && batch !== undefined && batch !== inner && extents[batch]! >= a) {
      const split = [
        { dim: batch, parts: a },
        { dim: inner, parts: b },
      ];
      if (acceptsSplit(op, split)) {
        splits[op.id] = split;
        // Grid shards are numbered row-major over index dimensions, whichever split comes first.
        placement[op.id] = Array.from({ length: a * b }, (_, s) => {
          const [i, j] = batch < inner ? [Math.floor(s / b), s % b] : [s % a, Math.floor(s / a)];
          return devices[i * b + j]!;
        });
        cutBatch = true;
        continue;
      }
    }
    if (axis !== undefined) {
      const split = [{ dim: axis, parts: b }];
      if (acceptsSplit(op, split)) {
        splits[op.id] = split;
        placement[op.id] = devices.slice(0, b);
        continue;
      }
    }
    if (batch !== undefined) {
      const parts = Math.min(a * b, extents[batch]!);
      const split = [{ dim: batch, parts }];
      if (parts > 1 && acceptsSplit(op, split)) {
        splits[op.id] = split;
        placement[op.id] = devices.slice(0, parts);
        continue;
      }
    }
    placement[op.id] = devices.slice(0, 1);
  }
  if (!cutBatch) return undefined;
  return makePlan(program, { devices, splits, placement });
}

import type { Cluster } from "../../cluster/cluster.js";
import { elementsPerPoint } from "../../cost/cost-model.js";
import type { Operation, Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { Plan } from "../../plan/plan.js";
import { batchAxes } from "../../shard/batch-axes.js";
import { followedIndexDim, operandRows } from "../../shard/dimension-classes.js";
import type { DimSplit } from "../../zspace/z-range.js";
import { acceptsSplit } from "../accepts-split.js";
import { clusterDevices } from "../cluster-devices.js";

/** One tensor-parallel axis the Megatron baseline cuts: the index dimension per operation. */
export interface TensorParallelAxis {
  /** Operation id → the index dimension cut along this axis. */
  readonly dims: Readonly<Record<string, number>>;
  /** Operations where the axis is a reduction (row-parallel: partial sums and one combine). */
  readonly rowParallel: readonly string[];
  readonly parts: number;
}

/**
 * The Megatron-LM baseline: tensor parallelism found from signatures, not kernel names.
 *
 * A candidate axis is a dimension class (`dimensionClasses`) that
 * 1. holds a dimension of some weight and none of an activation input (`batchAxes`): it cuts
 *    weights, never the batch or the features the program is fed;
 * 2. is a non-reduction dimension of some operations (column-parallel: the first linear's
 *    output columns, the elementwise operations after it, attention's heads) and a reduction
 *    of others (row-parallel: the second linear's input, the sum over heads), each operation
 *    having at most one dimension on it;
 * 3. is closed: every non-reduction operation on it writes it to an output, and every reader
 *    of a tensor dimension on it follows that dimension with one index dimension (no gather:
 *    a softmax or layer norm across it disqualifies it);
 * 4. is accepted by `gridSharding` in every operation, with `min(n, extents)` parts ≥ 2.
 *
 * Candidates are taken greedily by the FLOPs of their operations, skipping those that share an
 * operation with one already taken: in the transformer block the heads axis (q/k/v, scores,
 * softmax, context, output projection, head sum) beats the per-head width axes it overlaps. In
 * an MLP `x·W1 → relu → ·W2` the hidden axis is column-parallel in the first linear and the
 * relu and row-parallel in the second: one partial-sum combine. Shard `k` runs on device `k`,
 * and weights start pre-distributed. Operations on no axis (layer norms, residual adds) are
 * sequence-parallel, as Megatron-LM runs them: cut along their widest non-reduction dimension
 * over the devices (`sequenceParallelSplit`), whole on the first device only when uncuttable.
 */
export function megatronPlan(program: Program, cluster: Cluster, n?: number): Plan {
  const devices = clusterDevices(cluster, n);
  const splits: Record<string, DimSplit[]> = {};
  for (const axis of tensorParallelAxes(program, devices.length)) {
    for (const [op, dim] of Object.entries(axis.dims)) splits[op] = [{ dim, parts: axis.parts }];
  }
  for (const op of program.operations) {
    if (splits[op.id] !== undefined) continue;
    const split = sequenceParallelSplit(op, devices.length);
    if (split !== undefined) splits[op.id] = split;
  }
  return makePlan(program, { devices, splits });
}

/**
 * The split of an operation off the tensor-parallel axes over `n` devices: its widest
 * non-reduction dimension (ties: the first) cut `min(n, extent)` ways, or `undefined` when no
 * such cut of at least 2 parts is accepted by `gridSharding`.
 */
export function sequenceParallelSplit(op: Operation, n: number): DimSplit[] | undefined {
  const reductions = new Set(op.signature.reductions.map((r) => r.dim));
  const extents = op.index.shape.coords;
  const dims = extents
    .map((e, d) => ({ e, d }))
    .filter(({ e, d }) => e >= 2 && !reductions.has(d))
    .sort((x, y) => y.e - x.e || x.d - y.d);
  for (const { e, d } of dims) {
    const split = [{ dim: d, parts: Math.min(n, e) }];
    if (split[0]!.parts >= 2 && acceptsSplit(op, split)) return split;
  }
  return undefined;
}

/** The axes `megatronPlan` cuts for `n` devices, in the order chosen (see `megatronPlan`). */
export function tensorParallelAxes(program: Program, n: number): TensorParallelAxis[] {
  const axes = batchAxes(program);
  const { index, tensor } = axes.dimensions;
  const activations = new Set(axes.activations.map((a) => a.tensor));
  const weights = new Set(axes.weights);
  const ops = new Map(program.operations.map((op) => [op.id, op]));

  const members = new Map<
    number,
    { ops: Map<string, number>; tensors: [string, number][]; twice: boolean }
  >();
  const member = (c: number) => {
    let m = members.get(c);
    if (m === undefined) {
      m = { ops: new Map(), tensors: [], twice: false };
      members.set(c, m);
    }
    return m;
  };
  for (const op of program.operations) {
    (index[op.id] ?? []).forEach((c, d) => {
      if (op.index.shape.coords[d]! <= 1) return;
      const m = member(c);
      if (m.ops.has(op.id)) m.twice = true;
      m.ops.set(op.id, d);
    });
  }
  for (const [t, classes] of Object.entries(tensor)) {
    for (const [r, c] of classes.entries()) member(c).tensors.push([t, r]);
  }

  const candidates: { axis: TensorParallelAxis; flops: number; first: number }[] = [];
  for (const m of members.values()) {
    if (m.twice || m.ops.size === 0) continue;
    if (m.tensors.some(([t]) => activations.has(t)) || !m.tensors.some(([t]) => weights.has(t))) continue;
    const onAxis = new Set(m.tensors.map(([t, r]) => `${t}/${r}`));
    const rowParallel: string[] = [];
    let closed = true;
    let parts = n;
    for (const [id, d] of m.ops) {
      const op = ops.get(id)!;
      parts = Math.min(parts, op.index.shape.coords[d]!);
      const extents = op.index.shape.coords;
      const operands = operandRows(op);
      if (op.signature.reductions.some((r) => r.dim === d)) rowParallel.push(id);
      else if (!operands.some((o) => o.output && o.rows.some((row) => followedIndexDim(row, extents) === d)))
        closed = false;
      // A reader of an on-axis tensor dimension must follow it with its own on-axis dimension.
      for (const o of operands.filter((o) => !o.output)) {
        o.rows.forEach((row, r) => {
          if (onAxis.has(`${o.tensor}/${r}`) && followedIndexDim(row, extents) !== d) closed = false;
        });
      }
    }
    // Readers outside the axis (no index dimension on it) would need the whole tensor.
    for (const op of program.operations) {
      if (m.ops.has(op.id)) continue;
      for (const o of operandRows(op))
        if (!o.output && m.tensors.some(([t]) => t === o.tensor)) closed = false;
    }
    if (!closed || parts < 2 || rowParallel.length === 0 || rowParallel.length === m.ops.size) continue;
    const dims = Object.fromEntries(m.ops);
    if (!Object.entries(dims).every(([id, dim]) => acceptsSplit(ops.get(id)!, [{ dim, parts }]))) continue;
    const flops = [...m.ops.keys()].reduce((f, id) => f + opFlops(ops.get(id)!), 0);
    const first = Math.min(...[...m.ops.keys()].map((id) => program.operations.indexOf(ops.get(id)!)));
    candidates.push({ axis: { dims, rowParallel, parts }, flops, first });
  }
  candidates.sort((a, b) => b.flops - a.flops || a.first - b.first);
  const taken = new Set<string>();
  const chosen: TensorParallelAxis[] = [];
  for (const { axis } of candidates) {
    if (Object.keys(axis.dims).some((id) => taken.has(id))) continue;
    for (const id of Object.keys(axis.dims)) taken.add(id);
    chosen.push(axis);
  }
  return chosen;
}

function opFlops(op: Operation): number {
  return 2 * op.index.size * elementsPerPoint(op);
}

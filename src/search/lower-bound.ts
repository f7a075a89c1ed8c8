import { DTYPE_BYTES, type DType } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import type { Cluster } from "../cluster/cluster.js";
import { type CostModel, DEFAULT_COST_MODEL, taskSeconds } from "../cost/cost-model.js";
import type { Operation, Program } from "../ir/program.js";
import { wholeSharding } from "../shard/operation-sharding.js";
import { shardGeometry } from "../shard/shard-geometry.js";

/** A lower bound on the makespan of any plan of a program on a cluster, and what binds it. */
export interface LowerBound {
  readonly seconds: number;
  /** Total FLOPs of the program's operations (combines excluded: they only add). */
  readonly flops: number;
  /** Sum of the devices' peak FLOP/s, per dtype the program computes in. */
  readonly aggregatePeak: Readonly<Partial<Record<DType, number>>>;
  /** `Σ_dtype flops / aggregatePeak`: the whole cluster busy at peak. */
  readonly flopsSeconds: number;
  /** The longest indivisible task: some shard of every operation must run somewhere. */
  readonly indivisibleSeconds: number;
  readonly bindingTerm: "flops" | "indivisible";
  /** The operation behind the indivisible term. */
  readonly op?: string;
}

/**
 * `max(flops term, indivisible term)`, priced by `costModel` and `taskSeconds` as the simulator
 * prices tasks, so no plan simulated on `cluster` with that model finishes sooner:
 *
 * - flops: shard FLOPs add up to the operation's (the model counts per index point), and a
 *   device of peak `P` does at most `P · makespan` FLOPs, so `makespan ≥ Σ flops / Σ P`;
 * - indivisible: every operation runs at least one shard of at least one index point (the whole
 *   operation when it is unshardable or has an empty index), on at best the fastest device
 *   type. A point's input bytes are bounded below per tensor dimension (the smallest clip of its
 *   window over the index range), so borders of padded convolutions cannot undercut it.
 *
 * Throws `unsupported_dtype` when no device of the cluster can compute some operation's dtype.
 */
export function lowerBound(
  program: Program,
  cluster: Cluster,
  costModel: CostModel = DEFAULT_COST_MODEL,
): LowerBound {
  const aggregatePeak: Partial<Record<DType, number>> = {};
  const flopsByDtype: Partial<Record<DType, number>> = {};
  let flops = 0;
  let indivisibleSeconds = 0;
  let op: string | undefined;
  const types = [...new Set(cluster.devices.map((d) => d.type))].map((t) => cluster.deviceTypes[t]!);
  for (const operation of program.operations) {
    const whole = shardGeometry(operation, wholeSharding(operation))[0]!;
    const work = costModel.shardWork(operation, whole);
    flops += work.flops;
    flopsByDtype[work.dtype] = (flopsByDtype[work.dtype] ?? 0) + work.flops;
    const smallest = smallestTaskWork(operation, costModel) ?? work;
    const seconds = Math.min(...types.map((t) => taskSeconds(smallest, t) ?? Number.POSITIVE_INFINITY));
    if (!Number.isFinite(seconds)) throw unsupported(operation, work.dtype, cluster);
    if (seconds > indivisibleSeconds) [indivisibleSeconds, op] = [seconds, operation.id];
  }
  let flopsSeconds = 0;
  for (const [dtype, f] of Object.entries(flopsByDtype) as [DType, number][]) {
    const peak = cluster.devices.reduce(
      (p, d) => p + (cluster.deviceTypes[d.type]!.peakFlops[dtype] ?? 0),
      0,
    );
    aggregatePeak[dtype] = peak;
    flopsSeconds += f / peak;
  }
  const binding = indivisibleSeconds > flopsSeconds ? "indivisible" : "flops";
  return {
    seconds: Math.max(flopsSeconds, indivisibleSeconds),
    flops,
    aggregatePeak,
    flopsSeconds,
    indivisibleSeconds,
    bindingTerm: binding,
    ...(binding === "indivisible" && op !== undefined ? { op } : {}),
  };
}

/**
 * The work of a one-point shard of `op` (the index range's first corner), with input bytes
 * replaced by a lower bound valid for every point; `undefined` when `op` cannot be cut to a
 * point (unshardable, or an empty index range).
 */
function smallestTaskWork(op: Operation, costModel: CostModel) {
  const start = op.index.start.coords;
  const extents = op.index.shape.coords;
  if (op.signature.unshardable !== undefined || op.index.isEmpty()) return undefined;
  // A grid whose first box is one point: every dimension cut after its first value. Built by
  // hand because `gridSharding` refuses grids whose *other* boxes write strided outputs.
  const boundaries = extents.map((e, d) =>
    e > 1 ? [start[d]!, start[d]! + 1, start[d]! + e] : [start[d]!, start[d]! + e],
  );
  const corner = shardGeometry(op, { op: op.id, splits: [], boundaries })[0]!;
  const work = costModel.shardWork(op, corner);
  const outputBytes = op.outputs.reduce(
    (b, s) => b + corner.outputs[s.name]!.size * DTYPE_BYTES[op.signature.outputs[s.name]!.dtype],
    0,
  );
  const inputBytes = op.inputs.reduce((b, s) => {
    const operand = op.signature.inputs[s.name]!;
    const { lo, hi } = operand.projection.map.bounds(op.index);
    const sel = s.range;
    let elements = 1;
    operand.projection.shape.coords.forEach((w, r) => {
      const clip = (t: number) =>
        Math.max(0, Math.min(t + w, sel.end.coords[r]!) - Math.max(t, sel.start.coords[r]!));
      // The clipped window length is concave in its start, so its minimum is at an end.
      elements *= Math.min(clip(lo[r]!), clip(hi[r]!));
    });
    return b + elements * DTYPE_BYTES[operand.dtype];
  }, 0);
  return { ...work, bytes: Math.min(work.bytes, outputBytes + inputBytes) };
}

function unsupported(op: Operation, dtype: DType, cluster: Cluster) {
  return new TesseraError(
    "unsupported_dtype",
    `operation '${op.id}' computes in ${dtype}, which no device type of cluster '${cluster.name}' has a peak rate for`,
    { op: op.id, dtype, cluster: cluster.name },
  );
}

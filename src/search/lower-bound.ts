import { DTYPE_BYTES, type DType } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import type { Cluster } from "../cluster/cluster.js";
import { type CostModel, DEFAULT_COST_MODEL, taskSeconds } from "../cost/cost-model.js";
import { tensorWriters, topologicalOrder } from "../ir/dependencies.js";
import type { Operation, Program } from "../ir/program.js";
import { wholeSharding } from "../shard/operation-sharding.js";
import { shardGeometry } from "../shard/shard-geometry.js";
import { clusterDevices } from "./cluster-devices.js";

/** A lower bound on the makespan of any plan of a program on a cluster's searched devices, and what binds it. */
export interface LowerBound {
  readonly seconds: number;
  /** How many devices the bound is for (the cluster's first ones, as `searchPlans --devices`). */
  readonly devices?: number;
  /** Total FLOPs of the program's operations (combines excluded: they only add). */
  readonly flops: number;
  /** Sum of the searched devices' peak FLOP/s, per dtype the program computes in. */
  readonly aggregatePeak: Readonly<Partial<Record<DType, number>>>;
  /** `max_dtype flops / aggregatePeak`: the searched devices busy at peak on each dtype's FLOPs. */
  readonly flopsSeconds: number;
  /** Every operation's FLOPs at the best peak plus one launch each, spread over the devices. */
  readonly workSeconds?: number;
  /** The longest indivisible task: some shard of every operation must run somewhere. */
  readonly indivisibleSeconds: number;
  /** The longest dependency chain of operations, each at its indivisible task time (launches included). */
  readonly criticalPathSeconds?: number;
  /** How many operations that chain has. */
  readonly criticalPathLength?: number;
  readonly bindingTerm: "flops" | "work" | "indivisible" | "critical-path";
  /** The operation behind the indivisible term, or the last one of the critical path. */
  readonly op?: string;
}

/** Options of `lowerBound`. */
export interface LowerBoundOptions {
  /** How many of the cluster's devices a plan may use (its first ones); default all. */
  readonly devices?: number;
  readonly costModel?: CostModel;
}

/**
 * The largest of four terms, priced by `costModel` and `taskSeconds` as the simulator prices
 * tasks, so no plan on the first `devices` devices of `cluster` finishes sooner (proofs in
 * docs/search.md):
 *
 * - flops: shard FLOPs add up to the operation's, and a device of peak `P` does at most
 *   `P · makespan` FLOPs, so `makespan ≥ flops_dtype / Σ P_dtype` for every dtype;
 * - work: every operation runs at least one task, each paying a launch, so the devices' busy
 *   time adds up to at least `Σ_op (min launch + flops_op / best peak)`, over `devices`;
 * - indivisible: every operation runs at least one shard of at least one index point (the whole
 *   operation when it is unshardable or has an empty index), on at best the fastest device
 *   type. A point's input bytes are bounded below per tensor dimension (the smallest clip of its
 *   window over the index range), so borders of padded convolutions cannot undercut it;
 * - critical path: when an operation reads, at every index point, a region that one other
 *   operation alone writes, each of its tasks waits for a task of that writer; so along any such
 *   chain the indivisible task times add up.
 *
 * Throws `unsupported_dtype` when no searched device can compute some operation's dtype, and
 * `invalid_device_count` for a device count outside the cluster.
 */
export function lowerBound(program: Program, cluster: Cluster, options: LowerBoundOptions = {}): LowerBound {
  const costModel = options.costModel ?? DEFAULT_COST_MODEL;
  const ids = new Set(clusterDevices(cluster, options.devices));
  const searched = cluster.devices.filter((d) => ids.has(d.id));
  const types = [...new Set(searched.map((d) => d.type))].map((t) => cluster.deviceTypes[t]!);
  const minLaunch = Math.min(...types.map((t) => t.launchOverhead));
  const aggregatePeak: Partial<Record<DType, number>> = {};
  const flopsByDtype: Partial<Record<DType, number>> = {};
  let flops = 0;
  let busySeconds = 0;
  let indivisibleSeconds = 0;
  let op: string | undefined;
  const taskFloor: number[] = [];
  for (const operation of program.operations) {
    const whole = shardGeometry(operation, wholeSharding(operation))[0]!;
    const work = costModel.shardWork(operation, whole);
    flops += work.flops;
    flopsByDtype[work.dtype] = (flopsByDtype[work.dtype] ?? 0) + work.flops;
    const bestPeak = Math.max(...types.map((t) => t.peakFlops[work.dtype] ?? 0));
    if (!(bestPeak > 0)) throw unsupported(operation, work.dtype, cluster);
    busySeconds += minLaunch + work.flops / bestPeak;
    const smallest = smallestTaskWork(operation, costModel) ?? work;
    const seconds = Math.min(...types.map((t) => taskSeconds(smallest, t) ?? Number.POSITIVE_INFINITY));
    if (!Number.isFinite(seconds)) throw unsupported(operation, work.dtype, cluster);
    taskFloor.push(seconds);
    if (seconds > indivisibleSeconds) [indivisibleSeconds, op] = [seconds, operation.id];
  }
  let flopsSeconds = 0;
  for (const [dtype, f] of Object.entries(flopsByDtype) as [DType, number][]) {
    const peak = searched.reduce((p, d) => p + (cluster.deviceTypes[d.type]!.peakFlops[dtype] ?? 0), 0);
    aggregatePeak[dtype] = peak;
    flopsSeconds = Math.max(flopsSeconds, f / peak);
  }
  const workSeconds = busySeconds / searched.length;
  const path = criticalPath(program, taskFloor);
  const terms = [
    ["flops", flopsSeconds],
    ["work", workSeconds],
    ["indivisible", indivisibleSeconds],
    ["critical-path", path.seconds],
  ] as const;
  // Ties go to the simplest explanation (the earlier term).
  const [bindingTerm, seconds] = terms.reduce((a, b) => (b[1] > a[1] ? b : a));
  const named = bindingTerm === "critical-path" ? path.last : bindingTerm === "indivisible" ? op : undefined;
  return {
    seconds,
    devices: searched.length,
    flops,
    aggregatePeak,
    flopsSeconds,
    workSeconds,
    indivisibleSeconds,
    criticalPathSeconds: path.seconds,
    criticalPathLength: path.length,
    bindingTerm,
    ...(named === undefined ? {} : { op: named }),
  };
}

/**
 * The longest chain of operations weighted by `floor` (seconds per operation position) along
 * *binding* edges: `b` reads a tensor region that `a` alone writes, and reads a non-empty part
 * of it at every index point (so every task of `b` waits for some task of `a`).
 */
function criticalPath(
  program: Program,
  floor: readonly number[],
): { seconds: number; length: number; last: string | undefined } {
  const ops = program.operations;
  const writers = tensorWriters(ops);
  const best = new Float64Array(ops.length);
  const length = new Int32Array(ops.length);
  let top = { seconds: 0, length: 0, last: undefined as string | undefined };
  for (const i of topologicalOrder(ops).order) {
    const o = ops[i]!;
    let before = 0;
    let count = 0;
    for (const inp of o.inputs) {
      const overlapping = (writers.get(inp.tensor) ?? []).flatMap((w) =>
        ops[w]!.outputs.filter(
          (s) => s.tensor === inp.tensor && s.range.rank === inp.range.rank && s.range.intersects(inp.range),
        ).map((s) => ({ op: w, range: s.range })),
      );
      const only = overlapping.length === 1 ? overlapping[0]! : undefined;
      if (only === undefined || only.op === i || !only.range.contains(inp.range)) continue;
      if (minReadElements(o, inp.name) === 0) continue;
      if (best[only.op]! > before) [before, count] = [best[only.op]!, length[only.op]!];
    }
    best[i] = before + floor[i]!;
    length[i] = count + 1;
    if (best[i]! > top.seconds) top = { seconds: best[i]!, length: length[i]!, last: o.id };
  }
  return top;
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
  const inputBytes = op.inputs.reduce(
    (b, s) => b + minReadElements(op, s.name) * DTYPE_BYTES[op.signature.inputs[s.name]!.dtype],
    0,
  );
  return { ...work, bytes: Math.min(work.bytes, outputBytes + inputBytes) };
}

/**
 * The fewest elements of input `name` that any single index point of `op` reads: per tensor
 * dimension, the smallest clip of the point's window to the selected range over the index range.
 */
function minReadElements(op: Operation, name: string): number {
  const operand = op.signature.inputs[name]!;
  const sel = op.inputs.find((s) => s.name === name)!.range;
  const { lo, hi } = operand.projection.map.bounds(op.index);
  let elements = 1;
  operand.projection.shape.coords.forEach((w, r) => {
    const clip = (t: number) =>
      Math.max(0, Math.min(t + w, sel.end.coords[r]!) - Math.max(t, sel.start.coords[r]!));
    // The clipped window length is concave in its start, so its minimum is at an end.
    elements *= Math.min(clip(lo[r]!), clip(hi[r]!));
  });
  return elements;
}

function unsupported(op: Operation, dtype: DType, cluster: Cluster) {
  return new TesseraError(
    "unsupported_dtype",
    `operation '${op.id}' computes in ${dtype}, which no device type of cluster '${cluster.name}' has a peak rate for`,
    { op: op.id, dtype, cluster: cluster.name },
  );
}

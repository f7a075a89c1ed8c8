import { nullRecord } from "../base/json.js";
import type { Operation } from "../ir/program.js";
import { outputRange } from "../kernels/numeric/output-range.js";
import type { Monoid } from "../kernels/signature.js";
import { evenBoundaries, gridBoxes, ZRange } from "../zspace/z-range.js";
import type { OperationSharding } from "./operation-sharding.js";

/** A shard: an operation restricted to one box of its index range, and the regions that box projects to. */
export interface ShardGeometry {
  readonly op: string;
  /** Position in the grid, row-major over the index dimensions. */
  readonly shard: number;
  readonly range: ZRange;
  /** What each input must hold: the projection of `range` clipped to the operand's selection. */
  readonly inputs: Readonly<Record<string, ZRange>>;
  /**
   * What each output block receives: the projection of `range` (a partial result when
   * `partial`), a zero-extent reduction dimension counting as one point (a sum of nothing
   * still writes its identity over the whole block).
   */
  readonly outputs: Readonly<Record<string, ZRange>>;
  /** True when `range` covers only part of some reduction dimension. */
  readonly partial: boolean;
  /** The output block: shards with the same non-reduction grid coordinates share one. */
  readonly block: number;
}

/** The fold of a block's partial outputs, needed when a reduction dimension is split. */
export interface CombineGeometry {
  readonly op: string;
  readonly block: number;
  readonly monoid: Monoid;
  /** Shard positions whose partials fold here, in grid order. */
  readonly parts: readonly number[];
  /** What this step folds and writes: the whole block, or one chunk of it when scattered. */
  readonly outputs: Readonly<Record<string, ZRange>>;
  /** The part (a shard position) on whose device the step runs unless placed explicitly. */
  readonly owner: number;
  /** Position of the chunk within its block when the reduction is scattered (see `scatterCombines`). */
  readonly chunk?: number;
}

/**
 * The shards of an operation under a grid sharding, in row-major grid order. All regions are
 * projections of the shard's index box through the operation's signature: nothing here knows
 * what the kernel computes. Convolution shards' input regions overlap (halos) by the same rule.
 */
export function shardGeometry(op: Operation, sharding: OperationSharding): ShardGeometry[] {
  const sig = op.signature;
  const reductions = new Set(sig.reductions.map((r) => r.dim));
  const counts = sharding.boundaries.map((b) => b.length - 1);
  const selections = new Map(op.inputs.map((s) => [s.name, s.range]));
  return gridBoxes(sharding.boundaries).map((range, shard) => {
    // Recover grid coordinates from the row-major shard position.
    let rest = shard;
    const coords = new Array<number>(counts.length);
    for (let d = counts.length - 1; d >= 0; d--) {
      coords[d] = rest % counts[d]!;
      rest = Math.floor(rest / counts[d]!);
    }
    let block = 0;
    let partial = false;
    for (let d = 0; d < counts.length; d++) {
      if (reductions.has(d)) {
        if (counts[d]! > 1) partial = true;
      } else {
        block = block * counts[d]! + coords[d]!;
      }
    }
    const inputs = nullRecord<ZRange>();
    for (const [name, operand] of Object.entries(sig.inputs)) {
      inputs[name] = operand.projection.applyRange(range).intersect(selections.get(name)!);
    }
    const outputs = nullRecord<ZRange>();
    for (const [name, operand] of Object.entries(sig.outputs))
      outputs[name] = outputRange(operand.projection, range, sig.reductions);
    return { op: op.id, shard, range, inputs, outputs, partial, block };
  });
}

/** The combine steps of a sharding: one per output block whose reduction dimensions are split. */
export function combineGeometry(op: Operation, shards: readonly ShardGeometry[]): CombineGeometry[] {
  const monoid = op.signature.reductions[0]?.monoid;
  if (monoid === undefined || !shards.some((s) => s.partial)) return [];
  const blocks = new Map<number, ShardGeometry[]>();
  for (const s of shards) {
    const list = blocks.get(s.block) ?? [];
    list.push(s);
    blocks.set(s.block, list);
  }
  return [...blocks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([block, parts]) => ({
      op: op.id,
      block,
      monoid,
      parts: parts.map((p) => p.shard),
      outputs: parts[0]!.outputs,
      owner: parts[0]!.shard,
    }));
}

/**
 * The combine steps of a *reduce-scatter*: each block of `n` parts is cut into `k = min(n,
 * extent)` near-equal chunks along every output's longest dimension (the first on ties), and
 * chunk `j` is folded on part `j`'s device from the chunk of every part. So each part device
 * receives `(n − 1)/n` of a block and holds one reduced chunk, where a gather brings all `n`
 * partials to one device. A block that cannot be cut (rank 0, or an output of extent 1) keeps
 * one step, as gathered. Example: a 4-part block of 8×6 is folded as four 2×6 chunks.
 */
export function scatterCombines(combines: readonly CombineGeometry[]): CombineGeometry[] {
  return combines.flatMap((c) => {
    const regions = Object.entries(c.outputs);
    const dims = regions.map(([, r]) => {
      const extents = r.shape.coords;
      let best = -1;
      for (let d = 0; d < extents.length; d++) if (best < 0 || extents[d]! > extents[best]!) best = d;
      return best;
    });
    let k = c.parts.length;
    regions.forEach(([, r], i) => {
      k = Math.min(k, dims[i]! < 0 ? 1 : r.shape.coords[dims[i]!]!);
    });
    if (k <= 1 || regions.length === 0) return [c];
    const cuts = regions.map(([, r], i) =>
      evenBoundaries(r.start.coords[dims[i]!]!, r.end.coords[dims[i]!]!, k),
    );
    return Array.from({ length: k }, (_, j) => {
      const outputs: Record<string, ZRange> = {};
      regions.forEach(([name, r], i) => {
        const start = r.start.coords.slice();
        const end = r.end.coords.slice();
        start[dims[i]!] = cuts[i]![j]!;
        end[dims[i]!] = cuts[i]![j + 1]!;
        outputs[name] = ZRange.fromBounds(start, end);
      });
      return { ...c, outputs, owner: c.parts[j]!, chunk: j };
    });
  });
}

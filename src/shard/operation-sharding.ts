import { isTesseraError, TesseraError } from "../base/errors.js";
import type { Operation } from "../ir/program.js";
import type { DimSplit } from "../zspace/z-range.js";

/**
 * How one operation is cut: a grid over its index range, given as the requested splits and
 * the boundaries they resolve to (per index dimension, ascending from start to end).
 */
export interface OperationSharding {
  readonly op: string;
  readonly splits: readonly DimSplit[];
  readonly boundaries: readonly (readonly number[])[];
}

/** The number of shards of a sharding: the product of pieces per dimension. */
export function shardCount(sharding: OperationSharding): number {
  return sharding.boundaries.reduce((n, b) => n * (b.length - 1), 1);
}

/**
 * Resolves `splits` on `op`'s index range into a grid sharding. Refuses with `unshardable`
 * when the operation cannot be cut (its signature says why) but more than one shard is asked;
 * split errors (`invalid_split`, `dimension_out_of_bounds`) are re-thrown naming the operation
 * and the index dimension. A grid whose shards would write strided outputs (grouped
 * convolution cut on `ocg` while a piece spans several groups) is `invalid_split` too.
 */
export function gridSharding(op: Operation, splits: readonly DimSplit[]): OperationSharding {
  let boundaries: number[][];
  try {
    boundaries = op.index.splitBoundaries(splits);
  } catch (error: unknown) {
    if (!isTesseraError(error)) throw error;
    const dim = typeof error.context.dim === "number" ? error.context.dim : undefined;
    const name = dim === undefined ? undefined : op.signature.indexNames[dim];
    throw new TesseraError(
      error.code,
      `operation '${op.id}' (${op.kernel})${name === undefined ? "" : `, index dimension ${name}`}: ${error.summary}`,
      { op: op.id, ...error.context },
    );
  }
  const pieces = boundaries.reduce((n, b) => n * (b.length - 1), 1);
  if (op.signature.unshardable !== undefined && pieces > 1) {
    throw new TesseraError(
      "unshardable",
      `operation '${op.id}' (${op.kernel}) cannot be sharded: ${op.signature.unshardable}`,
      {
        op: op.id,
        kernel: op.kernel,
        reason: op.signature.unshardable,
      },
    );
  }
  const strided = stridedOutputSplit(op, boundaries);
  if (strided !== undefined) {
    const names = op.signature.indexNames;
    const [inner, outer] = [names[strided.inner], names[strided.outer]];
    throw new TesseraError(
      "invalid_split",
      `operation '${op.id}' (${op.kernel}), index dimension ${inner}: cutting it while a piece of ${outer} spans several values makes each shard write a strided part of output '${strided.output}', not a box; cut ${outer} into single values too, or leave ${inner} whole`,
      { op: op.id, dim: strided.inner, outer: strided.outer, output: strided.output },
    );
  }
  return { op: op.id, splits: splits.slice(), boundaries };
}

/**
 * The first cut that would make a shard's output a strided set rather than a box. When several
 * index dimensions move one output dimension, their steps form a mixed radix (grouped
 * convolution's channel `g·OCg + ocg`): a box of the index maps onto a box only if, once a
 * dimension is cut, every dimension with a larger step takes one value per piece.
 */
function stridedOutputSplit(
  op: Operation,
  boundaries: readonly (readonly number[])[],
): { inner: number; outer: number; output: string } | undefined {
  const sig = op.signature;
  const reductions = new Set(sig.reductions.map((r) => r.dim));
  const extents = op.index.shape.coords;
  const cut = (d: number) => boundaries[d]!.length > 2;
  const multiValued = (d: number) => boundaries[d]!.some((b, k) => k > 0 && b - boundaries[d]![k - 1]! > 1);
  for (const [output, operand] of Object.entries(sig.outputs)) {
    const map = operand.projection.map;
    const columns = extents.map((_, d) => map.column(d));
    for (let row = 0; row < map.outRank; row++) {
      const moving = extents
        .map((extent, d) => ({ d, extent, step: Math.abs(columns[d]![row]!) }))
        .filter((m) => m.extent > 1 && m.step !== 0 && !reductions.has(m.d))
        .sort((a, b) => a.step - b.step);
      for (let i = 0; i < moving.length; i++) {
        if (!cut(moving[i]!.d)) continue;
        const outer = moving.slice(i + 1).find((m) => multiValued(m.d));
        if (outer !== undefined) return { inner: moving[i]!.d, outer: outer.d, output };
      }
    }
  }
  return undefined;
}

/** The one-shard sharding of an operation (it runs whole). */
export function wholeSharding(op: Operation): OperationSharding {
  return gridSharding(op, []);
}

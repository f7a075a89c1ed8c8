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
 * and the index dimension.
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
  return { op: op.id, splits: splits.slice(), boundaries };
}

/** The one-shard sharding of an operation (it runs whole). */
export function wholeSharding(op: Operation): OperationSharding {
  return gridSharding(op, []);
}

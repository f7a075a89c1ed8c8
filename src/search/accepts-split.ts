import { isTesseraError } from "../base/errors.js";
import type { Operation } from "../ir/program.js";
import { gridSharding, type OperationSharding } from "../shard/operation-sharding.js";
import type { DimSplit } from "../zspace/z-range.js";

/** True when `gridSharding` accepts `splits` on `op`; false on its typed refusal. */
export function acceptsSplit(op: Operation, splits: readonly DimSplit[]): boolean {
  return shardingIfAccepted(op, splits) !== undefined;
}

/** `gridSharding(op, splits)`, or `undefined` on its typed refusal. */
export function shardingIfAccepted(
  op: Operation,
  splits: readonly DimSplit[],
): OperationSharding | undefined {
  try {
    return gridSharding(op, splits);
  } catch (error: unknown) {
    if (isTesseraError(error)) return undefined;
    throw error;
  }
}

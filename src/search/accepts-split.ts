import { isTesseraError } from "../base/errors.js";
import type { Operation } from "../ir/program.js";
import { gridSharding } from "../shard/operation-sharding.js";
import type { DimSplit } from "../zspace/z-range.js";

/** True when `gridSharding` accepts `splits` on `op`; false on its typed refusal. */
export function acceptsSplit(op: Operation, splits: readonly DimSplit[]): boolean {
  try {
    gridSharding(op, splits);
    return true;
  } catch (error: unknown) {
    if (isTesseraError(error)) return false;
    throw error;
  }
}

import type { DType } from "../base/dtype.js";
import type { OutputError } from "./compare-outputs.js";

/**
 * The error a sharded run may show against the reference, relative to the largest magnitude of
 * the reference output. Sharding regroups sums: a reduction split into P partials, each rounded
 * to the dtype, folds with error ≲ P·ε·Σ|terms|, and later operations can amplify it a little.
 * With the short chains and moderate term counts of real plans, 2^10·ε of the output's scale
 * leaves room for that while still catching any wrong element (which is off by O(scale)).
 * int32 arithmetic wraps and is exact in any grouping: the tolerance is zero.
 */
export function verifyTolerance(dtype: DType): number {
  switch (dtype) {
    case "float32":
      return 2 ** 10 * 2 ** -23;
    case "float64":
      return 2 ** 10 * 2 ** -52;
    case "int32":
      return 0;
  }
}

/** Whether an output's error is within the tolerance of its dtype. */
export function withinTolerance(error: OutputError, dtype: DType): boolean {
  if (!error.comparable) return false;
  if (error.exact) return true;
  return error.maxRel <= verifyTolerance(dtype);
}

import type { DType } from "../base/dtype.js";

/**
 * A tensor of a program under construction: what the builder's kernel functions take and
 * return, and what a vector–Jacobian product reads (forward inputs and outputs, cotangents) and
 * gets back from each kernel call it makes.
 */
export interface TensorRef {
  readonly id: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Where this part starts inside tensor `id` (an operand bound to part of it, an output placed with `into`); absent: the origin. */
  readonly start?: readonly number[];
}

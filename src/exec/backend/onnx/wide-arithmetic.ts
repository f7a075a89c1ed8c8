import type { DType } from "../../../base/dtype.js";
import { elementType } from "./encode-model.js";
import type { ShardGraph } from "./lowering.js";

/**
 * The dtype a lowering computes in: float64 for float32 shards, as the reference does (it
 * computes every kernel in float64 and rounds the result once). ONNX Runtime's float32 sums
 * overflow on `[3e38, 3e38, −3e38]` where the reference's do not, and its float32 tanh-based
 * gelu cancels to 30% error at −5; computing in float64 and casting back gives the reference's
 * result to its last bit in most cases, at the cost of float64 arithmetic in those kernels.
 */
export function wideDtype(dtype: DType): DType {
  return dtype === "float32" ? "float64" : dtype;
}

/** `value` cast to the shard's wide dtype (a no-op unless the shard is float32). */
export function widen(s: ShardGraph, value: string): string {
  return s.dtype === "float32" ? s.g.op("Cast", [value], { to: elementType("float64") }) : value;
}

/** A wide `value` cast back to the shard's dtype, rounding once as the reference does. */
export function narrow(s: ShardGraph, value: string): string {
  return s.dtype === "float32" ? s.g.op("Cast", [value], { to: elementType("float32") }) : value;
}

/**
 * A float sum with its zeros made +0, so that a sum of −0 terms is +0 as the reference's (its
 * float64 accumulators start from +0, and so does every fold of partial sums): ONNX Runtime's
 * sums start from their first term and keep −0.
 */
export function positiveZeroSum(s: ShardGraph, dtype: DType, value: string): string {
  if (dtype === "int32") return value;
  const zero = s.g.scalar(dtype, 0);
  return s.g.op("Where", [s.g.op("Equal", [value, zero]), zero, value]);
}

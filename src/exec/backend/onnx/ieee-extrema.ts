import type { DType } from "../../../base/dtype.js";
import type { GraphBuilder } from "./onnx-graph.js";

/**
 * IEEE 754-2019 `maximum(a, b)` of two float values, as the reference's `Math.max`: NaN wins
 * and −0 < +0. ONNX Runtime's `Max` is right in value (NaN included) but returns its second
 * operand for zeros of opposite sign, so `Max(+0, −0)` is −0.
 *
 * The sign is repaired by adding the operands' signed zeros, `clip(x, −1, 1) · 0` (finite, so
 * a nonzero `Max` is unchanged). A zero answer means both operands are ≤ 0, one a zero, and
 * it is −0 unless one of them is +0; then `Max` is −0 too, and a round-to-nearest sum of zeros
 * is −0 exactly when every term is (−0 + −0 = −0, any +0 term gives +0).
 *
 * No `Where`: ONNX Runtime's CPU `Where` merges its branches as `x ≠ 0 ? x : y`, so a −0
 * chosen from its first branch comes out +0, and its optimizer swaps the branches of
 * `Where(Not(c), x, y)`.
 *
 * ```ts
 * ieeeMaximum(g, "float32", a, b); // a = [−0, +0, −0, NaN], b = [+0, −0, −0, 1] → [+0, +0, −0, NaN]
 * ```
 */
export function ieeeMaximum(g: GraphBuilder, dtype: DType, a: string, b: string): string {
  const zeroOf = (x: string) =>
    g.op("Mul", [g.op("Clip", [x, g.scalar(dtype, -1), g.scalar(dtype, 1)]), g.scalar(dtype, 0)]);
  return g.op("Add", [g.op("Add", [g.op("Max", [a, b]), zeroOf(a)]), zeroOf(b)]);
}

/** IEEE 754-2019 `minimum(a, b)` (NaN wins, −0 < +0) as `−maximum(−a, −b)`, exact in sign and value. */
export function ieeeMinimum(g: GraphBuilder, dtype: DType, a: string, b: string): string {
  return g.op("Neg", [ieeeMaximum(g, dtype, g.op("Neg", [a]), g.op("Neg", [b]))]);
}

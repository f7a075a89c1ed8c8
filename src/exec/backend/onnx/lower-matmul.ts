import { type Lowering, ShardGraph } from "./lowering.js";
import { narrow, positiveZeroSum, wideDtype, widen } from "./wide-arithmetic.js";

/**
 * matmul → MatMul. The needed boxes of `a` and `b` are the shard's `[batch..., m, k]` and
 * `[batch..., k, n]` blocks (extent 1 in broadcast batch dimensions, 1-D when the operand is),
 * which ONNX MatMul multiplies with numpy's rules into exactly the output box. Over a sub-range
 * of `k` the product is the partial sum, as the reference's. float32 multiplies in float64 (see
 * `wideDtype`): its sums then overflow only where the reference's do.
 */
export const matmulLowering: Lowering = (geometry) => {
  const s = new ShardGraph(geometry);
  const product = s.g.op("MatMul", [widen(s, s.input("a")), widen(s, s.input("b"))]);
  return s.done(narrow(s, positiveZeroSum(s, wideDtype(s.dtype), product)));
};

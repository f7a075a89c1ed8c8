import { type Lowering, ShardGraph } from "./lowering.js";
import { narrow, positiveZeroSum, wideDtype, widen } from "./wide-arithmetic.js";

/**
 * linear → MatMul, plus Add of the bias only when the shard's `in` range starts where the
 * reduction starts (the bias is a once-only term of the sum; see `LINEAR_KERNEL`). float32 runs
 * in float64 (see `wideDtype`).
 */
export const linearLowering: Lowering = (geometry, ctx) => {
  const s = new ShardGraph(geometry);
  const product = positiveZeroSum(
    s,
    wideDtype(s.dtype),
    s.g.op("MatMul", [widen(s, s.input("x")), widen(s, s.input("w"))]),
  );
  const inDim = ctx.signature.reductions[0]?.dim;
  const first =
    inDim !== undefined && ctx.index.start.coords[inDim] === ctx.signature.index.start.coords[inDim];
  if (geometry.inputs.b === undefined || !first) return s.done(narrow(s, product));
  return s.done(narrow(s, s.g.op("Add", [product, widen(s, s.input("b"))])));
};

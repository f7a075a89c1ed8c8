import { isFloat } from "../../../base/dtype.js";
import type { KernelContext } from "../../../kernels/kernel.js";
import { elementType } from "./encode-model.js";
import { type Lowering, ShardGraph } from "./lowering.js";
import { narrow, positiveZeroSum, wideDtype, widen } from "./wide-arithmetic.js";

/** The reduction kernels. */
export type ReduceKernelId = "sum" | "max" | "min" | "mean";

const OPS: Readonly<Record<ReduceKernelId, string>> = {
  sum: "ReduceSum",
  max: "ReduceMax",
  min: "ReduceMin",
  mean: "ReduceSum",
};

/**
 * sum/max/min/mean → ReduceSum/ReduceMax/ReduceMin over the signature's reduction dims (x is
 * read through the identity, so they are x's axes), kept as size 1 and then reshaped to the
 * output box (which drops them or keeps them, as `keepdims` made the output projection).
 * mean divides by the FULL reduced count from the signature, not the shard's, so that the
 * partial means of a split reduction sum to the mean (as the reference's).
 */
export function reduceLowering(kernel: ReduceKernelId): Lowering {
  return (geometry, ctx) => {
    const s = new ShardGraph(geometry);
    const { g } = s;
    const x = s.input("x");
    const axes = ctx.signature.reductions.map((r) => r.dim);
    if (axes.length === 0) return s.done(x);
    if (kernel === "sum" && s.dtype === "int32")
      return s.done(g.op("Reshape", [wrappingSum(s, x, axes), g.int64s(s.outDims)]));
    if (kernel === "max" || kernel === "min") {
      let y = g.op(OPS[kernel], [x, g.int64s(axes)], { keepdims: 1 });
      if (isFloat(s.dtype)) y = propagateNaN(s, x, y, axes);
      return s.done(g.op("Reshape", [y, g.int64s(s.outDims)]));
    }
    // Sums run wide (see `wideDtype`): a float32 sum of [3e38, 3e38, −3e38] is 3e38, not Infinity.
    const wide = widen(s, x);
    let y = g.op(
      "ReduceSum",
      [kernel === "mean" ? g.op("Div", [wide, count(ctx, axes, s)]) : wide, g.int64s(axes)],
      {
        keepdims: 1,
      },
    );
    y = narrow(s, positiveZeroSum(s, wideDtype(s.dtype), y));
    return s.done(g.op("Reshape", [y, g.int64s(s.outDims)]));
  };
}

/** The FULL reduced count of a mean, as a wide scalar. */
function count(ctx: KernelContext<unknown>, axes: readonly number[], s: ShardGraph): string {
  const full = ctx.signature.index.shape.coords;
  return s.g.scalar(
    wideDtype(s.dtype),
    axes.reduce((p, d) => p * full[d]!, 1),
  );
}

/**
 * ReduceMax/ReduceMin skip NaN, but the reference's max and min let NaN win. A sum of x's NaN
 * entries (the others replaced by 0) is NaN exactly when some entry is, and is taken instead.
 */
function propagateNaN(s: ShardGraph, x: string, reduced: string, axes: readonly number[]): string {
  const { g } = s;
  const nans = g.op("Where", [g.op("IsNaN", [x]), x, g.scalar(s.dtype, 0)]);
  const marker = g.op("ReduceSum", [nans, g.int64s(axes)], { keepdims: 1 });
  return g.op("Where", [g.op("IsNaN", [marker]), marker, reduced]);
}

/**
 * An int32 sum that wraps mod 2^32 like the reference's int32 store. ONNX Runtime's int32
 * ReduceSum saturates instead, so the sum runs in int64 (exact for fewer than 2^32 terms) and
 * the cast back to int32 keeps the low 32 bits.
 */
function wrappingSum(s: ShardGraph, x: string, axes: readonly number[]): string {
  const { g } = s;
  const wide = g.op("Cast", [x], { to: elementType("int64") });
  const total = g.op("ReduceSum", [wide, g.int64s(axes)], { keepdims: 1 });
  return g.op("Cast", [total], { to: elementType("int32") });
}

import { type Lowering, ShardGraph } from "./lowering.js";
import { narrow, wideDtype, widen } from "./wide-arithmetic.js";

/** The `eps` param of layer_norm, or undefined when the params do not carry a number there. */
function epsOf(params: unknown): number | undefined {
  if (typeof params !== "object" || params === null || !("eps" in params)) return undefined;
  return typeof params.eps === "number" ? params.eps : undefined;
}

/**
 * layer_norm from primitive ops, with the reference's two-pass formula
 * `(x − mean) · 1/sqrt(mean((x − mean)²) + eps) · weight + bias` over x's trailing dims (those
 * after the index's). ONNX LayerNormalization would do in one op, but ONNX Runtime's takes the
 * variance as E[x²] − E[x]², which cancels badly in float32 for rows far from zero mean.
 * float32 runs wide (see `wideDtype`): the square of 3e38 overflows float32, not float64.
 */
export const layerNormLowering: Lowering = (geometry, ctx) => {
  const eps = epsOf(ctx.params);
  if (eps === undefined) return { unsupported: "layer_norm params without a numeric eps" };
  const s = new ShardGraph(geometry);
  const { g } = s;
  const dtype = wideDtype(s.dtype);
  const lead = ctx.signature.index.rank;
  const rank = s.fitted("x").needed.rank;
  const axes = g.int64s(Array.from({ length: rank - lead }, (_, i) => lead + i));
  const x = widen(s, s.input("x"));
  const centred = g.op("Sub", [x, g.op("ReduceMean", [x, axes], { keepdims: 1 })]);
  const variance = g.op("ReduceMean", [g.op("Mul", [centred, centred]), axes], { keepdims: 1 });
  const scale = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [variance, g.scalar(dtype, eps)])])]);
  let y = g.op("Mul", [centred, scale]);
  if (geometry.inputs.weight !== undefined) y = g.op("Mul", [y, widen(s, s.input("weight"))]);
  if (geometry.inputs.bias !== undefined) y = g.op("Add", [y, widen(s, s.input("bias"))]);
  return s.done(narrow(s, y));
};

/** VJPs of softmax and layer norm, composed from reductions and broadcasting arithmetic. */

import type { TensorRef } from "../../tensor-ref.js";
import type { Vjp } from "../../vjp.js";
import type { LayerNormParams } from "../layer-norm.js";
import type { SoftmaxParams } from "../softmax.js";
import { axis, binary, scaled } from "./vjp-ops.js";

/** softmax: `dx = out · (dout − Σ dout · out)`, the sum along `dim` kept for broadcasting. */
export const SOFTMAX_VJP: Vjp<SoftmaxParams> = ({ params, outputs, cotangents, emit }) => {
  const out = outputs.out!;
  const dy = cotangents.out!;
  const dim = axis(params.dim, out.shape.length);
  const dot = emit.call("sum", { x: binary(emit, "mul", dy, out) }, { dims: [dim], keepdims: true });
  return { x: binary(emit, "mul", out, binary(emit, "sub", dy, dot)) };
};

/**
 * layer_norm: the statistics are recomputed from x (mean, centred x, standard deviation,
 * normalized x̂), then with `g = dout · weight`:
 * `dx = (g − mean(g) − x̂ · mean(g · x̂)) / std`, `dweight = Σ dout · x̂`, `dbias = Σ dout`,
 * means over the normalized block and sums over the leading dimensions.
 */
export const LAYER_NORM_VJP: Vjp<LayerNormParams> = ({ params, inputs, cotangents, wanted, emit }) => {
  const x = inputs.x!;
  const dy = cotangents.out!;
  const rank = x.shape.length;
  const lead = rank - params.normalizedDims;
  const block = { dims: Array.from({ length: params.normalizedDims }, (_, i) => lead + i), keepdims: true };
  const leading = Array.from({ length: lead }, (_, d) => d);
  const mean = (t: TensorRef) => emit.call("mean", { x: t }, block);
  const centred = binary(emit, "sub", x, mean(x));
  const variance = mean(binary(emit, "mul", centred, centred));
  const std = emit.call("sqrt", { x: scaled(emit, variance, 1, params.eps) });
  const xhat = binary(emit, "div", centred, std);
  const overLeading = (t: TensorRef) => (lead === 0 ? t : emit.call("sum", { x: t }, { dims: leading }));
  const grads: Record<string, TensorRef> = {};
  if (wanted.has("x")) {
    const g = inputs.weight === undefined ? dy : binary(emit, "mul", dy, inputs.weight);
    const inner = binary(
      emit,
      "sub",
      binary(emit, "sub", g, mean(g)),
      binary(emit, "mul", xhat, mean(binary(emit, "mul", g, xhat))),
    );
    grads.x = binary(emit, "div", inner, std);
  }
  if (wanted.has("weight") && inputs.weight !== undefined)
    grads.weight = overLeading(binary(emit, "mul", dy, xhat));
  if (wanted.has("bias") && inputs.bias !== undefined) grads.bias = overLeading(dy);
  return grads;
};

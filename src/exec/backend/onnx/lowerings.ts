import type { AnyKernelDef } from "../../../kernels/kernel.js";
import { type BuiltinKernelId, builtinIdOf } from "../../../kernels/library/index.js";
import { binaryLowering } from "./lower-binary.js";
import { conv2dLowering, convTranspose2dLowering } from "./lower-conv2d.js";
import { conv2dInputGradLowering, conv2dWeightGradLowering } from "./lower-conv2d-grads.js";
import { layerNormLowering } from "./lower-layer-norm.js";
import { layoutLowering } from "./lower-layout.js";
import { linearLowering } from "./lower-linear.js";
import { matmulLowering } from "./lower-matmul.js";
import { geluErfGradLowering, geluGradLowering, scaleLowering } from "./lower-pointwise-grads.js";
import { maxPool2dLowering, upsampleNearest2dLowering } from "./lower-pool.js";
import { reduceLowering } from "./lower-reduce.js";
import { reshapeLowering } from "./lower-reshape.js";
import { softmaxLowering } from "./lower-softmax.js";
import { unaryLowering } from "./lower-unary.js";
import type { Lowering } from "./lowering.js";

/** The ONNX lowering of every built-in kernel, by id. */
export const LOWERINGS: { readonly [K in BuiltinKernelId]: Lowering } = {
  neg: unaryLowering("neg"),
  abs: unaryLowering("abs"),
  exp: unaryLowering("exp"),
  log: unaryLowering("log"),
  sqrt: unaryLowering("sqrt"),
  relu: unaryLowering("relu"),
  gelu: unaryLowering("gelu"),
  gelu_erf: unaryLowering("gelu_erf"),
  hard_sigmoid: unaryLowering("hard_sigmoid"),
  clip: unaryLowering("clip"),
  sigmoid: unaryLowering("sigmoid"),
  tanh: unaryLowering("tanh"),
  add: binaryLowering("add"),
  sub: binaryLowering("sub"),
  mul: binaryLowering("mul"),
  div: binaryLowering("div"),
  maximum: binaryLowering("maximum"),
  minimum: binaryLowering("minimum"),
  matmul: matmulLowering,
  linear: linearLowering,
  sum: reduceLowering("sum"),
  max: reduceLowering("max"),
  min: reduceLowering("min"),
  mean: reduceLowering("mean"),
  softmax: softmaxLowering,
  layer_norm: layerNormLowering,
  conv2d: conv2dLowering,
  conv_transpose2d: convTranspose2dLowering,
  max_pool2d: maxPool2dLowering,
  upsample_nearest2d: upsampleNearest2dLowering,
  transpose: layoutLowering,
  slice: layoutLowering,
  broadcast_to: layoutLowering,
  copy: layoutLowering,
  reshape: reshapeLowering,
  sign: unaryLowering("sign"),
  scale: scaleLowering,
  gelu_grad: geluGradLowering,
  gelu_erf_grad: geluErfGradLowering,
  // pad reads x at `i − before`: the needed box past x is the zero padding ShardGraph adds.
  pad: layoutLowering,
  conv2d_input_grad: conv2dInputGradLowering,
  conv2d_weight_grad: conv2dWeightGradLowering,
  // No ONNX operator scatters a window's cotangent to its argmax; the reference runs it.
  max_pool2d_grad: () => ({
    unsupported:
      "max_pool2d_grad has no ONNX lowering (no operator routes a window's gradient to its maximum)",
  }),
};

/** The lowering of `def`, or undefined when it has none (only built-in kernel objects have one, see `builtinIdOf`). */
export function loweringFor(def: AnyKernelDef): Lowering | undefined {
  const id = builtinIdOf(def);
  return id === undefined ? undefined : LOWERINGS[id];
}

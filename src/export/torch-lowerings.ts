import type { AnyKernelDef } from "../kernels/kernel.js";
import { type BuiltinKernelId, builtinIdOf } from "../kernels/library/index.js";
import { conv2dLowering, linearLowering, matmulLowering } from "./lower-contraction.js";
import { conv2dInputGradLowering, conv2dWeightGradLowering } from "./lower-conv2d-grads.js";
import {
  binaryLowering,
  geluErfGradLowering,
  geluGradLowering,
  scaleLowering,
  unaryLowering,
} from "./lower-elementwise.js";
import {
  convTranspose2dLowering,
  maxPool2dGradLowering,
  maxPool2dLowering,
  upsampleNearest2dLowering,
} from "./lower-pool.js";
import {
  layerNormLowering,
  layoutLowering,
  reduceLowering,
  reshapeLowering,
  softmaxLowering,
} from "./lower-structure.js";
import type { TorchLowering } from "./torch-lowering.js";

/** The torch lowering of every built-in kernel, by id: a kernel added without one fails the typecheck. */
export const TORCH_LOWERINGS: { readonly [K in BuiltinKernelId]: TorchLowering } = {
  neg: unaryLowering("neg"),
  abs: unaryLowering("abs"),
  exp: unaryLowering("exp"),
  log: unaryLowering("log"),
  sqrt: unaryLowering("sqrt"),
  relu: unaryLowering("relu"),
  gelu: unaryLowering("gelu"),
  gelu_erf: unaryLowering("gelu_erf"),
  sigmoid: unaryLowering("sigmoid"),
  hard_sigmoid: unaryLowering("hard_sigmoid"),
  clip: unaryLowering("clip"),
  tanh: unaryLowering("tanh"),
  sign: unaryLowering("sign"),
  scale: scaleLowering,
  gelu_grad: geluGradLowering,
  gelu_erf_grad: geluErfGradLowering,
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
  conv2d_input_grad: conv2dInputGradLowering,
  conv2d_weight_grad: conv2dWeightGradLowering,
  max_pool2d_grad: maxPool2dGradLowering,
  max_pool2d: maxPool2dLowering,
  conv_transpose2d: convTranspose2dLowering,
  upsample_nearest2d: upsampleNearest2dLowering,
  transpose: layoutLowering,
  slice: layoutLowering,
  broadcast_to: layoutLowering,
  copy: layoutLowering,
  reshape: reshapeLowering,
  // x is read shifted by `before`, zeros past it: the needed box is the padded output already.
  pad: layoutLowering,
};

/** The torch lowering of `def`, or undefined for a kernel declared as data (see `builtinIdOf`). */
export function torchLoweringFor(def: AnyKernelDef): TorchLowering | undefined {
  const id = builtinIdOf(def);
  return id === undefined ? undefined : TORCH_LOWERINGS[id];
}

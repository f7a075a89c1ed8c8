import type { AnyKernelDef } from "../kernels/kernel.js";
import { BUILTIN_KERNELS, type BuiltinKernelId } from "../kernels/library/index.js";
import { conv2dLowering, linearLowering, matmulLowering } from "./lower-contraction.js";
import { binaryLowering, unaryLowering } from "./lower-elementwise.js";
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
  transpose: layoutLowering,
  slice: layoutLowering,
  broadcast_to: layoutLowering,
  copy: layoutLowering,
  reshape: reshapeLowering,
};

/**
 * The torch lowering of `def`, or undefined for a kernel declared as data (or a declaration that
 * merely reuses a built-in's id: identity, not the id, decides, as for the ONNX backend).
 */
export function torchLoweringFor(def: AnyKernelDef): TorchLowering | undefined {
  const id = def.id;
  if (!isBuiltinId(id)) return undefined;
  const builtin: AnyKernelDef = BUILTIN_KERNELS[id];
  return builtin === def ? TORCH_LOWERINGS[id] : undefined;
}

function isBuiltinId(id: string): id is BuiltinKernelId {
  return Object.hasOwn(BUILTIN_KERNELS, id);
}

/** The built-in kernel library: one typed table, looked up by id without casts. */
import type { AnyKernelDef, KernelDef } from "../kernel.js";
import { type KernelRegistry, kernelRegistry } from "../registry.js";
import { GELU_ERF_GRAD_KERNEL } from "./gelu-erf-grad.js";
import { GELU_GRAD_KERNEL } from "./gelu-grad.js";
import { SCALE_KERNEL } from "./scale.js";
import { TS_KERNELS } from "./ts-kernels.js";
import { UNARY_KERNELS } from "./unary.js";

export type { BinaryParams } from "./binary.js";
export type { ConvTranspose2dParams } from "./conv-transpose.js";
export type { Conv2dParams } from "./conv2d-geometry.js";
export type { Conv2dInputGradParams } from "./conv2d-input-grad.js";
export type { Conv2dWeightGradParams } from "./conv2d-weight-grad.js";
export { GELU_ERF_GRAD_DECLARATION } from "./gelu-erf-grad.js";
export { GELU_GRAD_DECLARATION } from "./gelu-grad.js";
export type { LayerNormParams } from "./layer-norm.js";
export type { BroadcastToParams, CopyParams, SliceParams, TransposeParams } from "./layout.js";
export type { LinearParams } from "./linear.js";
export type { MatmulParams } from "./matmul.js";
export type { MaxPool2dGradParams } from "./max-pool-grad.js";
export type { PadParams } from "./pad.js";
export type { MaxPool2dParams } from "./pool.js";
export type { ReduceParams } from "./reduce.js";
export type { ReshapeParams } from "./reshape.js";
export { SCALE_DECLARATION } from "./scale.js";
export type { SoftmaxParams } from "./softmax.js";
export { TS_KERNELS, type TsKernelParams } from "./ts-kernels.js";
export { UNARY_DECLARATIONS, UNARY_KERNELS, type UnaryKernelId } from "./unary.js";
export type { UpsampleNearest2dParams } from "./upsample.js";

/**
 * Every built-in kernel by id: unary kernels, `scale`, `gelu_grad` and `gelu_erf_grad` declared as data, the rest
 * with TypeScript signatures.
 */
export const BUILTIN_KERNELS = {
  ...UNARY_KERNELS,
  scale: SCALE_KERNEL,
  gelu_grad: GELU_GRAD_KERNEL,
  gelu_erf_grad: GELU_ERF_GRAD_KERNEL,
  ...TS_KERNELS,
} as const;

/** The id of a built-in kernel. */
export type BuiltinKernelId = keyof typeof BUILTIN_KERNELS;

/** The decoded params type of built-in kernel `K`. */
export type BuiltinParams<K extends BuiltinKernelId> =
  (typeof BUILTIN_KERNELS)[K] extends KernelDef<infer P> ? P : never;

/** A registry of the built-in kernels. */
export function builtinRegistry(): KernelRegistry {
  return kernelRegistry(Object.values(BUILTIN_KERNELS));
}

/**
 * The id of `def` when it is a built-in kernel object itself, else undefined. A kernel declared
 * as data that merely reuses a built-in's id computes something else: identity, not the id,
 * decides (what the ONNX and torch lowerings rely on).
 */
export function builtinIdOf(def: AnyKernelDef): BuiltinKernelId | undefined {
  if (!Object.hasOwn(BUILTIN_KERNELS, def.id)) return undefined;
  const id = def.id as BuiltinKernelId;
  const builtin: AnyKernelDef = BUILTIN_KERNELS[id];
  return builtin === def ? id : undefined;
}

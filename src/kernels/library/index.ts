/** The built-in kernel library: one typed table, looked up by id without casts. */
import type { KernelDef } from "../kernel.js";
import { type KernelRegistry, kernelRegistry } from "../registry.js";
import { TS_KERNELS } from "./ts-kernels.js";
import { UNARY_KERNELS } from "./unary.js";

export type { BinaryParams } from "./binary.js";
export type { ConvTranspose2dParams } from "./conv-transpose.js";
export type { Conv2dParams } from "./conv2d.js";
export type { LayerNormParams } from "./layer-norm.js";
export type { BroadcastToParams, CopyParams, SliceParams, TransposeParams } from "./layout.js";
export type { LinearParams } from "./linear.js";
export type { MatmulParams } from "./matmul.js";
export type { MaxPool2dParams } from "./pool.js";
export type { ReduceParams } from "./reduce.js";
export type { ReshapeParams } from "./reshape.js";
export type { SoftmaxParams } from "./softmax.js";
export { TS_KERNELS, type TsKernelParams } from "./ts-kernels.js";
export { UNARY_DECLARATIONS, UNARY_KERNELS, type UnaryKernelId } from "./unary.js";
export type { UpsampleNearest2dParams } from "./upsample.js";

/** Every built-in kernel by id: unary kernels declared as data, the rest with TypeScript signatures. */
export const BUILTIN_KERNELS = { ...UNARY_KERNELS, ...TS_KERNELS } as const;

/** The id of a built-in kernel. */
export type BuiltinKernelId = keyof typeof BUILTIN_KERNELS;

/** The decoded params type of built-in kernel `K`. */
export type BuiltinParams<K extends BuiltinKernelId> =
  (typeof BUILTIN_KERNELS)[K] extends KernelDef<infer P> ? P : never;

/** A registry of the built-in kernels. */
export function builtinRegistry(): KernelRegistry {
  return kernelRegistry(Object.values(BUILTIN_KERNELS));
}

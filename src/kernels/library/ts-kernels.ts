import type { KernelDef } from "../kernel.js";
import {
  ADD_KERNEL,
  type BinaryParams,
  DIV_KERNEL,
  MAXIMUM_KERNEL,
  MINIMUM_KERNEL,
  MUL_KERNEL,
  SUB_KERNEL,
} from "./binary.js";
import { CONV_TRANSPOSE2D_KERNEL, type ConvTranspose2dParams } from "./conv-transpose.js";
import { CONV2D_KERNEL, type Conv2dParams } from "./conv2d.js";
import { LAYER_NORM_KERNEL, type LayerNormParams } from "./layer-norm.js";
import {
  BROADCAST_TO_KERNEL,
  type BroadcastToParams,
  COPY_KERNEL,
  type CopyParams,
  SLICE_KERNEL,
  type SliceParams,
  TRANSPOSE_KERNEL,
  type TransposeParams,
} from "./layout.js";
import { LINEAR_KERNEL, type LinearParams } from "./linear.js";
import { MATMUL_KERNEL, type MatmulParams } from "./matmul.js";
import { MAX_POOL2D_KERNEL, type MaxPool2dParams } from "./pool.js";
import { MAX_KERNEL, MEAN_KERNEL, MIN_KERNEL, type ReduceParams, SUM_KERNEL } from "./reduce.js";
import { RESHAPE_KERNEL, type ReshapeParams } from "./reshape.js";
import { SOFTMAX_KERNEL, type SoftmaxParams } from "./softmax.js";
import { UPSAMPLE_NEAREST2D_KERNEL, type UpsampleNearest2dParams } from "./upsample.js";

/** The params type of each kernel whose signature is written in TypeScript, by kernel id. */
export interface TsKernelParams {
  add: BinaryParams;
  sub: BinaryParams;
  mul: BinaryParams;
  div: BinaryParams;
  maximum: BinaryParams;
  minimum: BinaryParams;
  matmul: MatmulParams;
  linear: LinearParams;
  sum: ReduceParams;
  max: ReduceParams;
  min: ReduceParams;
  mean: ReduceParams;
  softmax: SoftmaxParams;
  layer_norm: LayerNormParams;
  conv2d: Conv2dParams;
  conv_transpose2d: ConvTranspose2dParams;
  max_pool2d: MaxPool2dParams;
  upsample_nearest2d: UpsampleNearest2dParams;
  transpose: TransposeParams;
  slice: SliceParams;
  broadcast_to: BroadcastToParams;
  copy: CopyParams;
  reshape: ReshapeParams;
}

/** Every TypeScript-signature kernel keyed by its id, each typed with its own params. */
export const TS_KERNELS: { readonly [K in keyof TsKernelParams]: KernelDef<TsKernelParams[K]> } = {
  add: ADD_KERNEL,
  sub: SUB_KERNEL,
  mul: MUL_KERNEL,
  div: DIV_KERNEL,
  maximum: MAXIMUM_KERNEL,
  minimum: MINIMUM_KERNEL,
  matmul: MATMUL_KERNEL,
  linear: LINEAR_KERNEL,
  sum: SUM_KERNEL,
  max: MAX_KERNEL,
  min: MIN_KERNEL,
  mean: MEAN_KERNEL,
  softmax: SOFTMAX_KERNEL,
  layer_norm: LAYER_NORM_KERNEL,
  conv2d: CONV2D_KERNEL,
  conv_transpose2d: CONV_TRANSPOSE2D_KERNEL,
  max_pool2d: MAX_POOL2D_KERNEL,
  upsample_nearest2d: UPSAMPLE_NEAREST2D_KERNEL,
  transpose: TRANSPOSE_KERNEL,
  slice: SLICE_KERNEL,
  broadcast_to: BROADCAST_TO_KERNEL,
  copy: COPY_KERNEL,
  reshape: RESHAPE_KERNEL,
};

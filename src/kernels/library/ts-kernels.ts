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
import { CONV2D_KERNEL } from "./conv2d.js";
import type { Conv2dParams } from "./conv2d-geometry.js";
import { CONV2D_INPUT_GRAD_KERNEL, type Conv2dInputGradParams } from "./conv2d-input-grad.js";
import { CONV2D_WEIGHT_GRAD_KERNEL, type Conv2dWeightGradParams } from "./conv2d-weight-grad.js";
import { CONV2D_VJP } from "./gradients/conv2d-vjp.js";
import { BINARY_VJPS } from "./gradients/elementwise-vjps.js";
import {
  BROADCAST_TO_VJP,
  COPY_VJP,
  PAD_VJP,
  RESHAPE_VJP,
  SLICE_VJP,
  TRANSPOSE_VJP,
} from "./gradients/layout-vjps.js";
import { LINEAR_VJP, MATMUL_VJP } from "./gradients/linear-algebra-vjps.js";
import { LAYER_NORM_VJP, SOFTMAX_VJP } from "./gradients/normalization-vjps.js";
import { MAX_VJP, MEAN_VJP, MIN_VJP, SUM_VJP } from "./gradients/reduction-vjps.js";
import { CONV_TRANSPOSE2D_VJP, MAX_POOL2D_VJP, UPSAMPLE_NEAREST2D_VJP } from "./gradients/spatial-vjps.js";
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
import { MAX_POOL2D_GRAD_KERNEL, type MaxPool2dGradParams } from "./max-pool-grad.js";
import { PAD_KERNEL, type PadParams } from "./pad.js";
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
  pad: PadParams;
  conv2d_input_grad: Conv2dInputGradParams;
  conv2d_weight_grad: Conv2dWeightGradParams;
  max_pool2d_grad: MaxPool2dGradParams;
}

/**
 * Every TypeScript-signature kernel keyed by its id, each typed with its own params, with its
 * VJP attached here (not in the kernel's own file, so that VJPs may name kernels' param types
 * without an import cycle); the gradient kernels (conv2d's, max_pool2d's) have none (no second
 * derivatives).
 */
export const TS_KERNELS: { readonly [K in keyof TsKernelParams]: KernelDef<TsKernelParams[K]> } = {
  add: { ...ADD_KERNEL, vjp: BINARY_VJPS.add },
  sub: { ...SUB_KERNEL, vjp: BINARY_VJPS.sub },
  mul: { ...MUL_KERNEL, vjp: BINARY_VJPS.mul },
  div: { ...DIV_KERNEL, vjp: BINARY_VJPS.div },
  maximum: { ...MAXIMUM_KERNEL, vjp: BINARY_VJPS.maximum },
  minimum: { ...MINIMUM_KERNEL, vjp: BINARY_VJPS.minimum },
  matmul: { ...MATMUL_KERNEL, vjp: MATMUL_VJP },
  linear: { ...LINEAR_KERNEL, vjp: LINEAR_VJP },
  sum: { ...SUM_KERNEL, vjp: SUM_VJP },
  max: { ...MAX_KERNEL, vjp: MAX_VJP },
  min: { ...MIN_KERNEL, vjp: MIN_VJP },
  mean: { ...MEAN_KERNEL, vjp: MEAN_VJP },
  softmax: { ...SOFTMAX_KERNEL, vjp: SOFTMAX_VJP },
  layer_norm: { ...LAYER_NORM_KERNEL, vjp: LAYER_NORM_VJP },
  conv2d: { ...CONV2D_KERNEL, vjp: CONV2D_VJP },
  conv_transpose2d: { ...CONV_TRANSPOSE2D_KERNEL, vjp: CONV_TRANSPOSE2D_VJP },
  max_pool2d: { ...MAX_POOL2D_KERNEL, vjp: MAX_POOL2D_VJP },
  upsample_nearest2d: { ...UPSAMPLE_NEAREST2D_KERNEL, vjp: UPSAMPLE_NEAREST2D_VJP },
  transpose: { ...TRANSPOSE_KERNEL, vjp: TRANSPOSE_VJP },
  slice: { ...SLICE_KERNEL, vjp: SLICE_VJP },
  broadcast_to: { ...BROADCAST_TO_KERNEL, vjp: BROADCAST_TO_VJP },
  copy: { ...COPY_KERNEL, vjp: COPY_VJP },
  reshape: { ...RESHAPE_KERNEL, vjp: RESHAPE_VJP },
  pad: { ...PAD_KERNEL, vjp: PAD_VJP },
  conv2d_input_grad: CONV2D_INPUT_GRAD_KERNEL,
  conv2d_weight_grad: CONV2D_WEIGHT_GRAD_KERNEL,
  max_pool2d_grad: MAX_POOL2D_GRAD_KERNEL,
};

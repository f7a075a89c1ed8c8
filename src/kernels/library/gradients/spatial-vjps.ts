/** VJPs of the spatial kernels ONNX import brings: transposed convolution, nearest upsampling, max pooling. */

import type { TensorRef } from "../../tensor-ref.js";
import type { Vjp } from "../../vjp.js";
import type { ConvTranspose2dParams } from "../conv-transpose.js";
import type { MaxPool2dParams } from "../pool.js";
import type { UpsampleNearest2dParams } from "../upsample.js";
import { scaled } from "./vjp-ops.js";

/**
 * conv_transpose2d (stride = filter size): its input gradient is the forward convolution of
 * `dout` with the same filters, `dx = conv2d(dout, w)` at stride `[KH, KW]` (`w [IC, OC, KH, KW]`
 * reads as conv2d's `[out channels, in channels, …]`); its filter gradient is conv2d's with the
 * roles of input and cotangent swapped, `dw = conv2d_weight_grad(dout, x)`.
 */
export const CONV_TRANSPOSE2D_VJP: Vjp<ConvTranspose2dParams> = ({
  params,
  inputs,
  cotangents,
  wanted,
  emit,
}) => {
  const x = inputs.x!;
  const w = inputs.w!;
  const dy = cotangents.out!;
  const stride = params.stride.slice();
  const grads: Record<string, TensorRef> = {};
  if (wanted.has("x")) grads.x = emit.call("conv2d", { x: dy, w }, { stride });
  if (wanted.has("w"))
    grads.w = emit.call("conv2d_weight_grad", { x: dy, dy: x }, { stride, kernelSize: w.shape.slice(2) });
  return grads;
};

/**
 * upsample_nearest2d: each input pixel receives the sum of its `sh × sw` block of `dout` — a
 * depthwise convolution with a filter of ones at stride `[sh, sw]`. The ones are `0 · v + 1` of
 * a slice of `dout` (so no constant tensor is needed), and the whole stays affine and
 * shardable, where a reshape-and-sum would not.
 */
export const UPSAMPLE_NEAREST2D_VJP: Vjp<UpsampleNearest2dParams> = ({
  params,
  inputs,
  cotangents,
  emit,
}) => {
  const channels = inputs.x!.shape[1]!;
  const dy = cotangents.out!;
  const [sh, sw] = params.scale;
  const corner = emit.call("slice", { x: dy }, { start: [0, 0, 0, 0], end: [1, channels, sh, sw] });
  const ones = scaled(emit, emit.call("transpose", { x: corner }, { perm: [1, 0, 2, 3] }), 0, 1);
  return { x: emit.call("conv2d", { x: dy, w: ones }, { stride: [sh, sw], groups: channels }) };
};

/**
 * max_pool2d: `max_pool2d_grad(x, dout)` with the forward's geometry — each window's cotangent
 * goes to the tap holding its maximum, the first in row-major window order on a tie.
 */
export const MAX_POOL2D_VJP: Vjp<MaxPool2dParams> = ({ params, inputs, cotangents, emit }) => ({
  x: emit.call(
    "max_pool2d_grad",
    { x: inputs.x!, dy: cotangents.out! },
    {
      kernel: params.kernel.slice(),
      stride: params.stride.slice(),
      padding: params.padding.slice(),
      dilation: params.dilation.slice(),
    },
  ),
});

/** The VJP of conv2d: two kernels of its own, the transposed convolution and the filter gradient. */

import type { TensorRef } from "../../tensor-ref.js";
import type { Vjp } from "../../vjp.js";
import type { Conv2dParams } from "../conv2d-geometry.js";

/**
 * conv2d: `dx = conv2d_input_grad(dout, w)` (a transposed convolution) and
 * `dw = conv2d_weight_grad(x, dout)`, with the forward's stride, padding, dilation and groups.
 */
export const CONV2D_VJP: Vjp<Conv2dParams> = ({ params, inputs, cotangents, wanted, emit }) => {
  const x = inputs.x!;
  const w = inputs.w!;
  const dy = cotangents.out!;
  const geometry = {
    stride: params.stride.slice(),
    padding: params.padding.slice(),
    dilation: params.dilation.slice(),
    groups: params.groups,
  };
  const grads: Record<string, TensorRef> = {};
  if (wanted.has("x"))
    grads.x = emit.call("conv2d_input_grad", { dy, w }, { ...geometry, inputSize: x.shape.slice(2) });
  if (wanted.has("w"))
    grads.w = emit.call("conv2d_weight_grad", { x, dy }, { ...geometry, kernelSize: w.shape.slice(2) });
  return grads;
};

import type { Lowering } from "./lowering.js";

/** conv2d_input_grad: no ONNX form yet; the backend runs the reference implementation and records why. */
export const conv2dInputGradLowering: Lowering = () => ({
  unsupported: "conv2d_input_grad has no ONNX lowering yet (runs the reference implementation)",
});

/** conv2d_weight_grad: no ONNX form yet; the backend runs the reference implementation and records why. */
export const conv2dWeightGradLowering: Lowering = () => ({
  unsupported: "conv2d_weight_grad has no ONNX lowering yet (runs the reference implementation)",
});

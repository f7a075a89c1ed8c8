import { conv2dShardShape, groupedChannels } from "../kernels/library/conv2d-shard-shape.js";
import { pyList, pyTuple } from "./py-code.js";
import { refuse, required, type TorchLowering } from "./torch-lowering.js";

/**
 * matmul → torch.matmul: the needed boxes are the shard's `[batch..., m, k]` and `[batch..., k, n]`
 * blocks (extent 1 in broadcast batch dimensions, 1-D when the operand is), which torch
 * multiplies with numpy's rules into the output box; over part of `k`, the partial sum.
 */
export const matmulLowering: TorchLowering = (s) =>
  s.code.let(`torch.matmul(${required(s, "a")}, ${required(s, "b")})`);

/** linear → torch.matmul, plus the bias only in the shard whose `in` range starts where the reduction does. */
export const linearLowering: TorchLowering = (s) => {
  const product = s.code.let(`torch.matmul(${required(s, "x")}, ${required(s, "w")})`);
  const inDim = s.signature.reductions[0]?.dim;
  const first = inDim !== undefined && s.index.start.coords[inDim] === s.signature.index.start.coords[inDim];
  const b = s.input("b");
  return b === undefined || !first ? product : s.code.let(`${product} + ${b}`);
};

/**
 * conv2d → torch.nn.functional.conv2d, everything derived from the projections and the shard's
 * index box `[n, g, ocg, oh, ow, icg]`, as the ONNX lowering does: stride from x's `oh`/`ow`
 * coefficients, dilation from field and taps, `groups` = the shard's groups. x arrives over its
 * needed box with the border zeros in place, so the convolution itself pads nothing. A shard over
 * part of the channels of several groups picks them with index_select and spreads its output
 * into the bounding box of output channels (zeros for the channels it does not compute).
 */
export const conv2dLowering: TorchLowering = (s) => {
  const shape = conv2dShardShape(s.signature, s.index);
  if (shape === undefined) throw refuse(s, "conv2d without x or w");
  const { cg, ocg, strides, dilations } = shape;
  const [n, groups, oc, oh, ow, c] = shape.extents;
  const { code } = s;
  let x = required(s, "x");
  let w = required(s, "w");
  if (groups > 1 && c < cg)
    x = code.let(
      `${x}.index_select(1, torch.tensor(${pyList(groupedChannels(groups, cg, c))}, device=${x}.device))`,
    );
  if (groups > 1 && oc < ocg)
    w = code.let(
      `${w}.index_select(0, torch.tensor(${pyList(groupedChannels(groups, ocg, oc))}, device=${w}.device))`,
    );
  let y = code.let(
    `torch.nn.functional.conv2d(${x}, ${w}, stride=${pyTuple(strides)}, dilation=${pyTuple(dilations)}, groups=${groups})`,
  );
  if (groups > 1 && oc < ocg) {
    y = code.let(`${y}.reshape(${pyList([n, groups, oc, oh, ow])})`);
    y = code.let(`torch.nn.functional.pad(${y}, (0, 0, 0, 0, 0, ${ocg - oc}))`);
    y = code.let(`${y}.reshape(${pyList([n, groups * ocg, oh, ow])})[:, :${(groups - 1) * ocg + oc}]`);
  }
  return y;
};

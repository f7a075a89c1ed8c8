import type {
  ConvTranspose2dParams,
  MaxPool2dParams,
  UpsampleNearest2dParams,
} from "../kernels/library/index.js";
import { pyTuple } from "./py-code.js";
import { required, type TorchLowering } from "./torch-lowering.js";

/**
 * `max_pool2d` over the shard's needed box of x. The box holds zeros where it reaches past x (the
 * padding); a max pool pads with −∞, so those margins are set to −∞ first and the pool itself
 * pads nothing. Each output point's window then sits inside the box at its stride.
 */
export const maxPool2dLowering: TorchLowering = (s) => {
  const p = s.params as MaxPool2dParams;
  const needed = s.needed("x");
  const shape = s.signature.inputs.x!.shape;
  const { code } = s;
  let x = required(s, "x");
  const margins = [2, 3].map((d) => {
    const start = needed.start.coords[d]!;
    const end = needed.end.coords[d]!;
    return {
      d,
      before: Math.max(0, Math.min(end, 0) - start),
      after: Math.max(0, end - Math.max(start, shape[d]!)),
    };
  });
  if (margins.some((m) => m.before > 0 || m.after > 0)) {
    x = code.let(`${x}.clone()`);
    for (const { d, before, after } of margins) {
      const lead = d === 2 ? "" : ":, ";
      if (before > 0) code.line(`${x}[:, :, ${lead}:${before}] = float("-inf")`);
      if (after > 0) code.line(`${x}[:, :, ${lead}${needed.shape.coords[d]! - after}:] = float("-inf")`);
    }
  }
  return code.let(
    `torch.nn.functional.max_pool2d(${x}, kernel_size=${pyTuple(p.kernel)}, stride=${pyTuple(p.stride)}, dilation=${pyTuple(p.dilation)})`,
  );
};

/**
 * `upsample_nearest2d`: the index space is the input's, so a shard's x box is exactly what it
 * repeats into its output block.
 */
export const upsampleNearest2dLowering: TorchLowering = (s) => {
  const [sh, sw] = (s.params as UpsampleNearest2dParams).scale;
  return s.code.let(`${required(s, "x")}.repeat_interleave(${sh}, dim=2).repeat_interleave(${sw}, dim=3)`);
};

/**
 * `conv_transpose2d` with stride equal to the filter size: the index space is the input's, so a
 * shard's x box and filter box give its (non-overlapping) output blocks directly; a shard over
 * part of the input channels gives a partial sum, folded like any split reduction.
 */
export const convTranspose2dLowering: TorchLowering = (s) => {
  const stride = (s.params as ConvTranspose2dParams).stride;
  return s.code.let(
    `torch.nn.functional.conv_transpose2d(${required(s, "x")}, ${required(s, "w")}, stride=${pyTuple(stride)})`,
  );
};

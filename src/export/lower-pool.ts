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

/**
 * `max_pool2d_grad` over the shard's boxes: the dy box's windows cover x rows
 * `[ya·s − p, (yb − 1)·s − p + d·(K − 1) + 1)` along each spatial dimension, which the x box holds
 * at stride 1 (it is the union of those windows) and which reach past x's whole extent at larger
 * strides. x is taken over exactly those rows, −∞ wherever they leave x (padding never wins),
 * pooled with its indices (the first maximum of a window on a tie, the reference's convention),
 * and each window's dy is added at its maximum; the shard's rows are then cut out (zeros for rows
 * no window covers). dy rows past dy's extent are the export's zeros and add nothing.
 */
export const maxPool2dGradLowering: TorchLowering = (s) => {
  const p = s.params as MaxPool2dParams;
  const xBox = s.needed("x");
  const yBox = s.needed("dy");
  const shape = s.signature.inputs.x!.shape;
  const { code } = s;
  let x = required(s, "x");
  const dy = required(s, "dy");
  const dims = [2, 3].map((d, i) => {
    const [xa, xb] = [xBox.start.coords[d]!, xBox.end.coords[d]!];
    const [ya, yb] = [yBox.start.coords[d]!, yBox.end.coords[d]!];
    const from = ya * p.stride[i]! - p.padding[i]!;
    const to = (yb - 1) * p.stride[i]! - p.padding[i]! + p.dilation[i]! * (p.kernel[i]! - 1) + 1;
    return {
      d,
      // Rows of the box past x's extent hold zeros: they must not win a window.
      before: Math.max(0, Math.min(xb, 0) - xa),
      after: Math.max(0, xb - Math.max(xa, shape[d]!)),
      grow: [xa - from, to - xb] as const,
      // The shard's rows from the windows' rows: rows no window covers get no gradient (zeros).
      fit: [from - s.index.start.coords[d]!, s.index.end.coords[d]! - to] as const,
    };
  });
  if (dims.some((m) => m.before > 0 || m.after > 0)) {
    x = code.let(`${x}.clone()`);
    for (const { d, before, after } of dims) {
      const lead = d === 2 ? "" : ":, ";
      if (before > 0) code.line(`${x}[:, :, ${lead}:${before}] = float("-inf")`);
      if (after > 0) code.line(`${x}[:, :, ${lead}${xBox.shape.coords[d]! - after}:] = float("-inf")`);
    }
  }
  const [h, w] = dims as [(typeof dims)[0], (typeof dims)[0]];
  // F.pad pads (negative: crops) the last dimension first.
  x = code.let(
    `torch.nn.functional.pad(${x}, (${w.grow[0]}, ${w.grow[1]}, ${h.grow[0]}, ${h.grow[1]}), value=float("-inf"))`,
  );
  const pooled = code.let(
    `torch.nn.functional.max_pool2d(${x}, kernel_size=${pyTuple(p.kernel)}, stride=${pyTuple(p.stride)}, dilation=${pyTuple(p.dilation)}, return_indices=True)[1]`,
  );
  const g = code.let(
    `torch.zeros_like(${x}).flatten(2).scatter_add(2, ${pooled}.flatten(2), ${dy}.flatten(2)).reshape(${x}.shape)`,
  );
  return code.let(`torch.nn.functional.pad(${g}, (${w.fit[0]}, ${w.fit[1]}, ${h.fit[0]}, ${h.fit[1]}))`);
};

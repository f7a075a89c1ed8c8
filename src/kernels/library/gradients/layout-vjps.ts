/** VJPs of the layout kernels: each moves the cotangent back to where its elements came from. */

import type { TensorRef } from "../../tensor-ref.js";
import type { Vjp, VjpEmitter } from "../../vjp.js";
import { sliceBound } from "../axes.js";
import type { BroadcastToParams, CopyParams, SliceParams, TransposeParams } from "../layout.js";
import type { PadParams } from "../pad.js";
import type { ReshapeParams } from "../reshape.js";
import { axis, reshaped, sumTo, zerosLike } from "./vjp-ops.js";

/** transpose: the inverse permutation. */
export const TRANSPOSE_VJP: Vjp<TransposeParams> = ({ params, inputs, cotangents, emit }) => {
  const rank = inputs.x!.shape.length;
  const perm = (params.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i)).map((p) =>
    axis(p, rank),
  );
  const inverse = perm.map((_, j) => perm.indexOf(j));
  return { x: emit.call("transpose", { x: cotangents.out! }, { perm: inverse }) };
};

/** broadcast_to: summed back to x's shape. */
export const BROADCAST_TO_VJP: Vjp<BroadcastToParams> = ({ inputs, cotangents, emit }) => ({
  x: sumTo(emit, cotangents.out!, inputs.x!.shape),
});

/** copy: the identity. */
export const COPY_VJP: Vjp<CopyParams> = ({ cotangents }) => ({ x: cotangents.out! });

/** reshape: reshaped back. */
export const RESHAPE_VJP: Vjp<ReshapeParams> = ({ inputs, cotangents, emit }) => ({
  x: reshaped(emit, cotangents.out!, inputs.x!.shape),
});

/** pad: the unpadded middle, a slice. */
export const PAD_VJP: Vjp<PadParams> = ({ params, inputs, cotangents, emit }) => {
  const x = inputs.x!;
  return {
    x: emit.call(
      "slice",
      { x: cotangents.out! },
      { start: params.before.slice(), end: x.shape.map((s, d) => params.before[d]! + s) },
    ),
  };
};

/**
 * slice: the cotangent scattered back to where the slice read, zeros elsewhere. A step `s > 1`
 * along a dimension first interleaves `s − 1` zeros after each element (a reshape adding a unit
 * dimension, a pad of it, a reshape merging it back, a slice dropping the trailing zeros); then
 * one `pad` puts the block at its start.
 */
export const SLICE_VJP: Vjp<SliceParams> = ({ params, inputs, cotangents, emit }) => {
  const x = inputs.x!;
  let g: TensorRef = cotangents.out!;
  if (g.shape.includes(0)) return { x: zerosLike(emit, x) };
  const starts = x.shape.map((size, d) => sliceBound(params.start[d]!, size));
  g.shape.forEach((n, d) => {
    const step = params.step[d]!;
    if (step > 1 && n > 1) g = interleaveZeros(emit, g, d, step);
  });
  const before = starts;
  const after = x.shape.map((size, d) => size - starts[d]! - g.shape[d]!);
  if (before.every((b) => b === 0) && after.every((a) => a === 0)) return { x: g };
  return { x: emit.call("pad", { x: g }, { before, after }) };
};

/** `g` with `step − 1` zeros after each element along `dim`, the trailing ones dropped: `n` → `(n − 1)·step + 1`. */
function interleaveZeros(e: VjpEmitter, g: TensorRef, dim: number, step: number): TensorRef {
  const shape = g.shape.slice();
  const n = shape[dim]!;
  const split = [...shape.slice(0, dim + 1), 1, ...shape.slice(dim + 1)];
  const padAfter = split.map((_, d) => (d === dim + 1 ? step - 1 : 0));
  const spread = e.call("pad", { x: reshaped(e, g, split) }, { before: split.map(() => 0), after: padAfter });
  const merged = shape.slice();
  merged[dim] = n * step;
  const flat = reshaped(e, spread, merged);
  const end = merged.slice();
  end[dim] = (n - 1) * step + 1;
  return e.call("slice", { x: flat }, { start: merged.map(() => 0), end });
}

import { type Lowering, ShardGraph } from "./lowering.js";

/**
 * conv2d → Conv, everything derived from the signature's projections and the shard's index
 * box `[n, g, ocg, oh, ow, icg]` (never from params):
 *
 * - stride = the `oh`/`ow` coefficients of x's projection, the field = its box, the taps = w's
 *   box, so dilation = (field − 1) / (taps − 1); `Cg`, `OCg` = the `icg`/`ocg` strides of the
 *   channel rows.
 * - The shard covers groups `g0..g1` (G'), output channels `o0..o1` of each (OC') and input
 *   channels `c0..c1` of each (C', a partial sum when not all). It runs as one Conv with
 *   `group = G'` on the C' selected channels of each group of x and the OC' selected filters of
 *   each group of w. The needed boxes are bounding boxes: with G' > 1 and a partial channel
 *   range they hold other channels between the groups, so Gather picks the right ones, and the
 *   output box (also a bounding box) gets zeros for the channels the shard does not compute.
 * - x's region may stop at the tensor border: the missing rows and columns on each side
 *   (needed box minus available box) become Conv's explicit, possibly asymmetric, pads.
 */
export const conv2dLowering: Lowering = (geometry, ctx) => {
  const sig = ctx.signature;
  const xp = sig.inputs.x?.projection;
  const wp = sig.inputs.w?.projection;
  if (xp === undefined || wp === undefined) return { unsupported: "conv2d without x or w" };
  const xRows = xp.map.matrix;
  const cg = xRows[1]![1]!;
  const strides = [xRows[2]![3]!, xRows[3]![4]!];
  const ocg = wp.map.matrix[0]![1]!;
  const field = xp.shape.coords.slice(2);
  const taps = wp.shape.coords.slice(2);
  const dilations = taps.map((k, i) => (k > 1 ? (field[i]! - 1) / (k - 1) : 1));
  const s = ctx.index.start.coords;
  const e = ctx.index.end.coords;
  const extent = (d: number) => e[d]! - s[d]!;
  // The shard's extents along the index dims [n, g, ocg, oh, ow, icg].
  const n = extent(0);
  const groups = extent(1);
  const oc = extent(2);
  const oh = extent(3);
  const ow = extent(4);
  const c = extent(5);

  const shard = new ShardGraph(geometry);
  const { g } = shard;
  const x = shard.fitted("x");
  if (x.padsBefore[0] !== 0 || x.padsBefore[1] !== 0 || x.padsAfter[0] !== 0 || x.padsAfter[1] !== 0)
    return { unsupported: "conv2d input region clipped in a batch or channel dimension" };
  let xv = shard.rawInput("x");
  if (groups > 1 && c < cg) xv = g.op("Gather", [xv, g.int64s(pick(groups, cg, c))], { axis: 1 });
  let wv = shard.input("w");
  if (groups > 1 && oc < ocg) wv = g.op("Gather", [wv, g.int64s(pick(groups, ocg, oc))], { axis: 0 });
  const pads = [x.padsBefore[2]!, x.padsBefore[3]!, x.padsAfter[2]!, x.padsAfter[3]!];
  let y = g.op("Conv", [xv, wv], { group: groups, strides, dilations, pads, kernel_shape: taps });
  if (groups > 1 && oc < ocg) {
    // [n, G'·OC', …] → per group OC' channels then OCg − OC' zeros → the bounding box's channels.
    y = g.op("Reshape", [y, g.int64s([n, groups, oc, oh, ow])]);
    y = g.op("Pad", [y, g.int64s([0, 0, 0, 0, 0, 0, 0, ocg - oc, 0, 0])]);
    y = g.op("Reshape", [y, g.int64s([n, groups * ocg, oh, ow])]);
    y = g.op("Slice", [y, g.int64s([0]), g.int64s([(groups - 1) * ocg + oc]), g.int64s([1])]);
  }
  return shard.done(y);
};

/** Indices `gi·stride + i` for `gi < groups`, `i < count`: the first `count` channels of each group. */
function pick(groups: number, stride: number, count: number): number[] {
  return Array.from({ length: groups * count }, (_, k) => Math.floor(k / count) * stride + (k % count));
}

/**
 * conv_transpose2d → ConvTranspose with strides equal to the filter size: the shard's
 * `[n, oc, ih, iw, ic]` box reads x's channels `ic` and the filters `[ic, oc]`, and with
 * non-overlapping windows its output `(ih·KH, iw·KW)` is exactly the shard's output box (a
 * partial sum when `ic` is cut).
 */
export const convTranspose2dLowering: Lowering = (geometry, ctx) => {
  const taps = ctx.signature.inputs.w?.projection.shape.coords.slice(2);
  if (taps === undefined) return { unsupported: "conv_transpose2d without w" };
  const shard = new ShardGraph(geometry);
  const y = shard.g.op("ConvTranspose", [shard.input("x"), shard.input("w")], {
    strides: taps,
    kernel_shape: taps,
  });
  return shard.done(y);
};

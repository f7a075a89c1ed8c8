import { conv2dShardShape, groupedChannels } from "../../../kernels/library/conv2d-shard-shape.js";
import { type Lowering, ShardGraph } from "./lowering.js";
import { isClippedBeforeSpatial } from "./lowering-window.js";
import { spreadGroups } from "./spread-groups.js";

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
  const shape = conv2dShardShape(ctx.signature, ctx.index);
  if (shape === undefined) return { unsupported: "conv2d without x or w" };
  const { cg, ocg, taps } = shape;
  const [n, groups, oc, oh, ow, c] = shape.extents;

  const shard = new ShardGraph(geometry);
  const { g } = shard;
  const x = shard.fitted("x");
  if (isClippedBeforeSpatial(x))
    return { unsupported: "conv2d input region clipped in a batch or channel dimension" };
  let xv = shard.rawInput("x");
  if (groups > 1 && c < cg) xv = g.op("Gather", [xv, g.int64s(groupedChannels(groups, cg, c))], { axis: 1 });
  let wv = shard.input("w");
  if (groups > 1 && oc < ocg)
    wv = g.op("Gather", [wv, g.int64s(groupedChannels(groups, ocg, oc))], { axis: 0 });
  const pads = [x.padsBefore[2]!, x.padsBefore[3]!, x.padsAfter[2]!, x.padsAfter[3]!];
  let y = g.op("Conv", [xv, wv], {
    group: groups,
    strides: shape.strides.slice(),
    dilations: shape.dilations.slice(),
    pads,
    kernel_shape: taps.slice(),
  });
  if (groups > 1 && oc < ocg) y = spreadGroups(g, y, { n, groups, h: oh, w: ow }, oc, ocg);
  return shard.done(y);
};

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

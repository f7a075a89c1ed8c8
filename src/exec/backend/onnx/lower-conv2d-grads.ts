import type { KernelContext } from "../../../kernels/kernel.js";
import { groupedChannels } from "../../../kernels/library/conv2d-shard-shape.js";
import { type Lowering, ShardGraph } from "./lowering.js";
import { isClippedBeforeSpatial } from "./lowering-window.js";
import { spreadGroups } from "./spread-groups.js";

/** The forward geometry both conv2d gradient kernels carry in their params. */
interface ConvGeometry {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

function isPair(v: unknown): v is readonly [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number");
}

function geometryOf(ctx: KernelContext<unknown>): ConvGeometry | undefined {
  const p = ctx.params;
  if (typeof p !== "object" || p === null) return undefined;
  const { stride, padding, dilation, groups } = p as Record<string, unknown>;
  if (!isPair(stride) || !isPair(padding) || !isPair(dilation) || typeof groups !== "number")
    return undefined;
  return { stride, padding, dilation, groups };
}

/** The shard's extent along index dim `d`, and where it starts. */
function span(ctx: KernelContext<unknown>, d: number): { start: number; size: number } {
  const start = ctx.index.start.coords[d]!;
  return { start, size: ctx.index.end.coords[d]! - start };
}

/**
 * conv2d_input_grad → ConvTranspose (`dy` as input, `w` as weight, `group = G'`) over the shard's
 * needed box of dy, sliced to the shard's output rows and columns. Index box
 * `[n, g, icg, h, w, ocg]`: the shard's groups `G'`, input channels `C'` and output channels
 * `OC'` of each group pick their channels with Gather when `G' > 1` cuts inside groups (as
 * conv2d's lowering does). Without pads, ConvTranspose's output row `r` is input row
 * `r + a·sh − ph` where `a` is the first dy row of the needed box (negative rows are the zero
 * padding the shard graph adds), so the shard's rows `[h0, h1)` are rows
 * `[h0 − a·sh + ph, h1 − a·sh + ph)` of the result, zero-extended when they run past its end
 * (`a = h0 + ph − dh·(KH − 1)` at stride 1, where the needed box is a window; 0 otherwise).
 */
export const conv2dInputGradLowering: Lowering = (geometry, ctx) => {
  const geo = geometryOf(ctx);
  const dyp = ctx.signature.inputs.dy?.projection;
  const wp = ctx.signature.inputs.w?.projection;
  if (geo === undefined || dyp === undefined || wp === undefined)
    return { unsupported: "conv2d_input_grad without its params or operands" };
  const ocgAll = wp.map.matrix[0]![1]!;
  const cgAll = ctx.signature.outputs.out!.projection.map.matrix[1]![1]!;
  const taps = wp.shape.coords.slice(2);
  const n = span(ctx, 0).size;
  const groups = span(ctx, 1).size;
  const c = span(ctx, 2).size;
  const rows = [span(ctx, 3), span(ctx, 4)];
  const oc = span(ctx, 5).size;

  const s = new ShardGraph(geometry);
  const { g } = s;
  const dy = s.fitted("dy");
  if (isClippedBeforeSpatial(dy))
    return { unsupported: "conv2d_input_grad dy region clipped in a batch or channel dimension" };
  let yv = s.input("dy");
  if (groups > 1 && oc < ocgAll)
    yv = g.op("Gather", [yv, g.int64s(groupedChannels(groups, ocgAll, oc))], { axis: 1 });
  let wv = s.input("w");
  if (groups > 1 && oc < ocgAll)
    wv = g.op("Gather", [wv, g.int64s(groupedChannels(groups, ocgAll, oc))], { axis: 0 });
  const [dh, dw] = geo.dilation;
  const field = [dh * (taps[0]! - 1) + 1, dw * (taps[1]! - 1) + 1];
  let x = g.op("ConvTranspose", [yv, wv], {
    group: groups,
    strides: geo.stride.slice(),
    dilations: geo.dilation.slice(),
    kernel_shape: taps,
    pads: [0, 0, 0, 0],
  });
  const starts: number[] = [];
  const ends: number[] = [];
  const extra: number[] = [];
  for (const i of [0, 1]) {
    const extent = (dy.needed.shape.coords[2 + i]! - 1) * geo.stride[i]! + field[i]!;
    // The needed box starts at dy row `h0 + p − (field − 1)` at stride 1 and at row 0 otherwise.
    const from = geo.stride[i] === 1 ? field[i]! - 1 : rows[i]!.start + geo.padding[i]!;
    starts.push(from);
    ends.push(from + rows[i]!.size);
    extra.push(Math.max(0, from + rows[i]!.size - extent));
  }
  if (extra.some((e) => e > 0)) x = g.op("Pad", [x, g.int64s([0, 0, 0, 0, 0, 0, extra[0]!, extra[1]!])]);
  x = g.op("Slice", [x, g.int64s(starts), g.int64s(ends), g.int64s([2, 3])]);
  if (groups > 1 && c < cgAll)
    x = spreadGroups(g, x, { n, groups, h: rows[0]!.size, w: rows[1]!.size }, c, cgAll);
  return s.done(x);
};

/**
 * conv2d_weight_grad → Conv with batch and channels swapped, one per group of the shard: x's
 * needed box `[N', C, H', W']` transposed to `[C, N', H', W']` is the input, dy's
 * `[N', OC, OH', OW']` transposed to `[OC, N', OH', OW']` the filters, stride = the forward's
 * dilation and dilation = its stride, so output `(c, o, r, q)` sums `x[n, c, i·sh + r·dh, …] ·
 * dy[n, o, i, …]` over the shard's `n`, `oh`, `ow` — its partial sum. Transposed back to
 * `[OC', C', KH', KW']`; groups are stacked with the zero rows between them the output box has.
 */
export const conv2dWeightGradLowering: Lowering = (geometry, ctx) => {
  const geo = geometryOf(ctx);
  const xp = ctx.signature.inputs.x?.projection;
  const dyp = ctx.signature.inputs.dy?.projection;
  if (geo === undefined || xp === undefined || dyp === undefined)
    return { unsupported: "conv2d_weight_grad without its params or operands" };
  const cgAll = xp.map.matrix[1]![0]!;
  const ocgAll = dyp.map.matrix[1]![0]!;
  const groups = span(ctx, 0).size;
  const oc = span(ctx, 1).size;
  const c = span(ctx, 2).size;
  const kh = span(ctx, 3).size;
  const kw = span(ctx, 4).size;

  const s = new ShardGraph(geometry);
  const { g } = s;
  for (const name of ["x", "dy"]) {
    const f = s.fitted(name);
    if (isClippedBeforeSpatial(f))
      return { unsupported: `conv2d_weight_grad ${name} region clipped in a batch or channel dimension` };
  }
  const xt = g.op("Transpose", [s.input("x")], { perm: [1, 0, 2, 3] });
  const yt = g.op("Transpose", [s.input("dy")], { perm: [1, 0, 2, 3] });
  const parts: string[] = [];
  for (let k = 0; k < groups; k++) {
    const xs = g.op("Slice", [xt, g.int64s([k * cgAll]), g.int64s([k * cgAll + c]), g.int64s([0])]);
    const ys = g.op("Slice", [yt, g.int64s([k * ocgAll]), g.int64s([k * ocgAll + oc]), g.int64s([0])]);
    const conv = g.op("Conv", [xs, ys], {
      strides: geo.dilation.slice(),
      dilations: geo.stride.slice(),
      pads: [0, 0, 0, 0],
    });
    // Conv's output may be longer than the shard's taps when the box was cut short: keep [0, kh) × [0, kw).
    let part = g.op("Slice", [
      g.op("Transpose", [conv], { perm: [1, 0, 2, 3] }),
      g.int64s([0, 0]),
      g.int64s([kh, kw]),
      g.int64s([2, 3]),
    ]);
    if (k < groups - 1 && oc < ocgAll)
      part = g.op("Pad", [part, g.int64s([0, 0, 0, 0, ocgAll - oc, 0, 0, 0])]);
    parts.push(part);
  }
  const out = parts.length === 1 ? parts[0]! : g.op("Concat", parts, { axis: 0 });
  return s.done(out);
};

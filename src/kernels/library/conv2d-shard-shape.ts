import type { ZRange } from "../../zspace/z-range.js";
import type { Signature } from "../signature.js";

/**
 * A conv2d shard's convolution as its signature's projections and its index box
 * `[n, g, ocg, oh, ow, icg]` say it (never the params), for lowerings to other runtimes: the
 * stride is the `oh`/`ow` coefficients of x's projection, the field its box, the taps w's box,
 * so dilation = (field − 1) / (taps − 1).
 */
export interface Conv2dShardShape {
  /** Input channels per group of the whole operation (the `icg` coefficient of x's channel row). */
  readonly cg: number;
  /** Output channels per group of the whole operation (the `ocg` coefficient of w's row 0). */
  readonly ocg: number;
  /** Step between output positions, `[height, width]`. */
  readonly strides: readonly [number, number];
  /** The filter's taps, `[KH, KW]`. */
  readonly taps: readonly number[];
  /** Spacing between taps, `[height, width]`. */
  readonly dilations: readonly number[];
  /** The shard's extents along `[n, g, ocg, oh, ow, icg]`: batch, groups, output channels of each group, output rows, output columns, input channels of each group. */
  readonly extents: readonly [number, number, number, number, number, number];
}

/** The convolution of a conv2d shard over `index` (see `Conv2dShardShape`), or undefined without x or w. */
export function conv2dShardShape(signature: Signature, index: ZRange): Conv2dShardShape | undefined {
  const xp = signature.inputs.x?.projection;
  const wp = signature.inputs.w?.projection;
  if (xp === undefined || wp === undefined) return undefined;
  const xRows = xp.map.matrix;
  const field = xp.shape.coords.slice(2);
  const taps = wp.shape.coords.slice(2);
  const s = index.start.coords;
  const e = index.end.coords;
  const extent = (d: number) => e[d]! - s[d]!;
  return {
    cg: xRows[1]![1]!,
    ocg: wp.map.matrix[0]![1]!,
    strides: [xRows[2]![3]!, xRows[3]![4]!],
    taps,
    dilations: taps.map((k, i) => (k > 1 ? (field[i]! - 1) / (k - 1) : 1)),
    extents: [extent(0), extent(1), extent(2), extent(3), extent(4), extent(5)],
  };
}

/**
 * Channel indices `gi·stride + i` for `gi < groups`, `i < count`: the first `count` channels of
 * each of `groups` groups `stride` apart, which a shard cut inside its groups picks from the
 * bounding box it is given. `groupedChannels(2, 4, 1)` is `[0, 4]`.
 */
export function groupedChannels(groups: number, stride: number, count: number): number[] {
  return Array.from({ length: groups * count }, (_, k) => Math.floor(k / count) * stride + (k % count));
}

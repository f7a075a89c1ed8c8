import type { MaxPool2dParams, UpsampleNearest2dParams } from "../../../kernels/library/index.js";
import { type Lowering, ShardGraph } from "./lowering.js";
import { isClippedBeforeSpatial } from "./lowering-window.js";

/**
 * max_pool2d → MaxPool over the shard's window box. The stride is read from x's projection,
 * the taps and dilation from the params; x's region may stop at the tensor border, and the
 * missing rows and columns on each side become MaxPool's pads, which (like the kernel's
 * padding) never win the maximum.
 */
export const maxPool2dLowering: Lowering = (geometry, ctx) => {
  const params = ctx.params as MaxPool2dParams;
  const rows = ctx.signature.inputs.x?.projection.map.matrix;
  if (rows === undefined) return { unsupported: "max_pool2d without x" };
  const shard = new ShardGraph(geometry);
  const x = shard.fitted("x");
  if (isClippedBeforeSpatial(x))
    return { unsupported: "max_pool2d input region clipped in a batch or channel dimension" };
  const pads = [x.padsBefore[2]!, x.padsBefore[3]!, x.padsAfter[2]!, x.padsAfter[3]!];
  const y = shard.g.op("MaxPool", [shard.rawInput("x")], {
    kernel_shape: params.kernel.slice(),
    strides: [rows[2]![2]!, rows[3]![3]!],
    dilations: params.dilation.slice(),
    pads,
  });
  return shard.done(y);
};

/**
 * upsample_nearest2d → `Reshape [n, c, h, 1, w, 1]`, `Expand [n, c, h, sh, w, sw]`,
 * `Reshape [n, c, h·sh, w·sw]`: every pixel repeated into its block, exactly (no Resize
 * coordinate modes to match). The shard's input box is its index box (identity projection).
 */
export const upsampleNearest2dLowering: Lowering = (geometry, ctx) => {
  const { scale } = ctx.params as UpsampleNearest2dParams;
  const shard = new ShardGraph(geometry);
  const { g } = shard;
  const [n, c, h, w] = shard.fitted("x").region.range.shape.toArray() as [number, number, number, number];
  const [sh, sw] = scale;
  const column = g.op("Reshape", [shard.input("x"), g.int64s([n, c, h, 1, w, 1])]);
  const blocks = g.op("Expand", [column, g.int64s([n, c, h, sh, w, sw])]);
  return shard.done(g.op("Reshape", [blocks, g.int64s([n, c, h * sh, w * sw])]));
};

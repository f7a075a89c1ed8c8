import type { GraphBuilder } from "./onnx-graph.js";

/**
 * A grouped convolution's output `[n, G'·C', h, w]` (C' channels of each of G' groups) spread
 * into the bounding box of its channels, `[n, (G' − 1)·Cg + C', h, w]`: each group's C'
 * channels, then Cg − C' zeros for the channels the shard does not compute.
 */
export function spreadGroups(
  g: GraphBuilder,
  value: string,
  dims: { readonly n: number; readonly groups: number; readonly h: number; readonly w: number },
  count: number,
  perGroup: number,
): string {
  const { n, groups, h, w } = dims;
  let y = g.op("Reshape", [value, g.int64s([n, groups, count, h, w])]);
  y = g.op("Pad", [y, g.int64s([0, 0, 0, 0, 0, 0, 0, perGroup - count, 0, 0])]);
  y = g.op("Reshape", [y, g.int64s([n, groups * perGroup, h, w])]);
  return g.op("Slice", [y, g.int64s([0]), g.int64s([(groups - 1) * perGroup + count]), g.int64s([1])]);
}

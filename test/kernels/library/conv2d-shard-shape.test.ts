import { describe, expect, it } from "vitest";
import { CONV2D_KERNEL } from "../../../src/kernels/library/conv2d.js";
import { conv2dShardShape, groupedChannels } from "../../../src/kernels/library/conv2d-shard-shape.js";
import { ZRange } from "../../../src/zspace/z-range.js";
import { signatureOf } from "./kernel-harness.js";

const t = (shape: number[]) => ({ shape, dtype: "float32" as const });

describe("conv2dShardShape", () => {
  it("reads channels per group, strides, taps and dilations back from the projections, never the params", () => {
    // x [2, 6, 11, 13], w [4, 3, 3, 2], groups 2: Cg = 3, OCg = 2.
    const sig = signatureOf(
      CONV2D_KERNEL,
      { x: t([2, 6, 11, 13]), w: t([4, 3, 3, 2]) },
      { stride: [2, 3], dilation: [2, 1], padding: [1, 0], groups: 2 },
    );
    // A shard of the index space [n, g, ocg, oh, ow, icg]: one batch, both groups, 1 of 2 output channels, 2 of 3 input channels.
    const index = ZRange.fromStartShape([1, 0, 1, 0, 1, 0], [1, 2, 1, 3, 2, 2]);
    expect(conv2dShardShape(sig, index)).toEqual({
      cg: 3,
      ocg: 2,
      strides: [2, 3],
      taps: [3, 2],
      dilations: [2, 1],
      extents: [1, 2, 1, 3, 2, 2],
    });
  });

  it("gives no shape without x or w", () => {
    const sig = signatureOf(CONV2D_KERNEL, { x: t([1, 1, 4, 4]), w: t([1, 1, 3, 3]) });
    const { w: _, ...inputs } = sig.inputs;
    expect(conv2dShardShape({ ...sig, inputs }, sig.index)).toBeUndefined();
  });
});

describe("groupedChannels", () => {
  it("takes the first count channels of each group", () => {
    expect(groupedChannels(2, 4, 1)).toEqual([0, 4]);
    expect(groupedChannels(3, 4, 2)).toEqual([0, 1, 4, 5, 8, 9]);
    expect(groupedChannels(1, 4, 4)).toEqual([0, 1, 2, 3]);
  });
});

import { describe, expect, it } from "vitest";
import { layoutSteps } from "../../../src/kernels/library/layout-steps.js";

describe("layoutSteps: a layout shard's output box from x's needed box, by x's projection rows", () => {
  it.each([
    [
      "a plain copy needs nothing",
      [
        [1, 0],
        [0, 1],
      ],
      [2, 3],
      [2, 3],
      {},
    ],
    [
      "a transpose is one permute",
      [
        [0, 1],
        [1, 0],
      ],
      [3, 2],
      [2, 3],
      { permute: [1, 0] },
    ],
    ["a strided slice is one slice", [[2]], [7], [4], { slice: [2] }],
    ["numpy broadcasting with new leading dims is one expand", [[0, 1]], [3], [2, 3], { expand: [2, 3] }],
    [
      "stretching an extent-1 dim is one expand",
      [
        [0, 0],
        [0, 1],
      ],
      [1, 3],
      [4, 3],
      { expand: [4, 3] },
    ],
    [
      "a broadcast dim out of place is squeezed, placed and expanded",
      [
        [0, 1],
        [0, 0],
      ],
      [3, 1],
      [2, 3],
      { squeeze: [3], place: [1, 3], expand: [2, 3] },
    ],
    [
      "a transposed strided read slices, then permutes",
      [
        [0, 2],
        [1, 0],
      ],
      [5, 2],
      [2, 3],
      { slice: [2, 1], permute: [1, 0] },
    ],
  ])("%s", (_, rows, dims, out, expected) => {
    expect(layoutSteps(rows, dims, out)).toEqual(expected);
  });

  it.each([
    [
      "a row mixing two index columns",
      [[1, 1]],
      [3],
      [3],
      "x projection is not a layout (steps on single columns)",
    ],
    ["a negative step", [[-1]], [3], [3], "x projection is not a layout (steps on single columns)"],
    [
      "two dims of x on one index column",
      [
        [1, 0],
        [1, 0],
      ],
      [2, 2],
      [2, 2],
      "x projection reads two dims of x from one index column",
    ],
  ])("refuses %s", (_, rows, dims, out, why) => {
    expect(layoutSteps(rows, dims, out)).toEqual({ refused: why });
  });
});

import { describe, expect, it } from "vitest";
import { runPointwise } from "../../../src/kernels/numeric/pointwise.js";
import { makeRegion } from "../../../src/kernels/region.js";
import type { Signature } from "../../../src/kernels/signature.js";
import { IndexProjection } from "../../../src/zspace/index-projection.js";
import { ZAffineMap } from "../../../src/zspace/z-affine-map.js";
import { ZRange } from "../../../src/zspace/z-range.js";

/** A row-sum signature: index [m, k], x read identically, out [m] through (i, k) ↦ (i). */
function rowSum(
  m: number,
  k: number,
  monoid: "sum" | "max" = "sum",
  dtype: "float64" | "int32" = "float64",
): Signature {
  return {
    index: ZRange.fromShape([m, k]),
    indexNames: ["m", "k"],
    inputs: { x: { shape: [m, k], dtype, projection: IndexProjection.identity(2) } },
    outputs: {
      out: { shape: [m], dtype, projection: IndexProjection.pointwise(ZAffineMap.projection([0], 2)) },
    },
    reductions: [{ dim: 1, monoid }],
  };
}

const first = (v: Float64Array) => v[0]!;

describe("runPointwise", () => {
  it("folds a reduction dimension with its monoid", () => {
    const signature = rowSum(2, 3, "max");
    const x = makeRegion("float64", ZRange.fromShape([2, 3]), new Float64Array([1, 7, 3, 4, 2, 6]));
    const out = runPointwise(
      { params: {}, signature, index: signature.index, inputs: { x } },
      { inputs: ["x"], output: "out", compute: first },
    );
    expect(Array.from(out.data)).toEqual([7, 6]);
  });

  it("writes the identity over the whole output when a reduction dimension is empty", () => {
    // A sum over nothing is 0 for every row: the output is [m], not an empty box.
    const signature = rowSum(3, 0);
    const x = makeRegion("float64", ZRange.fromShape([3, 0]), new Float64Array(0));
    const out = runPointwise(
      { params: {}, signature, index: signature.index, inputs: { x } },
      { inputs: ["x"], output: "out", compute: first },
    );
    expect(out.range).toEqual(ZRange.fromShape([3]));
    expect(Array.from(out.data)).toEqual([0, 0, 0]);
  });

  it("still writes nothing when a non-reduction dimension is empty", () => {
    const signature = rowSum(0, 2);
    const x = makeRegion("float64", ZRange.fromShape([0, 2]), new Float64Array(0));
    const out = runPointwise(
      { params: {}, signature, index: signature.index, inputs: { x } },
      { inputs: ["x"], output: "out", compute: first },
    );
    expect(out.range.isEmpty()).toBe(true);
  });

  it("reads zeros outside the input region and stores int32 with truncation", () => {
    const signature = rowSum(2, 2, "sum", "int32");
    // Only row 0 is present; row 1 reads zeros.
    const x = makeRegion("int32", ZRange.fromShape([1, 2]), new Int32Array([3, 4]));
    const halves = runPointwise(
      { params: {}, signature, index: signature.index, inputs: { x } },
      { inputs: ["x"], output: "out", compute: (v) => v[0]! / 2 },
    );
    expect(Array.from(halves.data)).toEqual([3, 0]);
  });
});

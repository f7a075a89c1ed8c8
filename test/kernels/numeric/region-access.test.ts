import { describe, expect, it } from "vitest";
import { forEachPoint } from "../../../src/kernels/numeric/index-walk.js";
import { outputRange } from "../../../src/kernels/numeric/output-range.js";
import {
  offsetIn,
  projectOrigin,
  readOrZero,
  regionFromAccumulator,
} from "../../../src/kernels/numeric/region-access.js";
import { makeRegion } from "../../../src/kernels/region.js";
import { IndexProjection } from "../../../src/zspace/index-projection.js";
import { ZAffineMap } from "../../../src/zspace/z-affine-map.js";
import { ZRange } from "../../../src/zspace/z-range.js";

describe("forEachPoint", () => {
  it("visits points in row-major order, last dimension fastest", () => {
    const seen: number[][] = [];
    forEachPoint(ZRange.fromBounds([1, -1], [3, 1]), (p) => seen.push(p.slice()));
    expect(seen).toEqual([
      [1, -1],
      [1, 0],
      [2, -1],
      [2, 0],
    ]);
  });

  it("visits the one point of rank 0 and nothing of an empty range", () => {
    const seen: number[][] = [];
    forEachPoint(ZRange.scalar(), (p) => seen.push(p.slice()));
    forEachPoint(ZRange.fromShape([2, 0]), (p) => seen.push(p.slice()));
    expect(seen).toEqual([[]]);
  });
});

describe("region access", () => {
  const range = ZRange.fromBounds([2, -1], [4, 2]);
  const region = makeRegion("float64", range, new Float64Array([1, 2, 3, 4, 5, 6]));

  it("finds row-major offsets in absolute coordinates, -1 outside", () => {
    expect(offsetIn(range, [2, -1])).toBe(0);
    expect(offsetIn(range, [3, 1])).toBe(5);
    expect(offsetIn(range, [4, 0])).toBe(-1);
    expect(offsetIn(ZRange.scalar(), [])).toBe(0);
  });

  it("reads zero outside the region (padding)", () => {
    expect(readOrZero(region, [3, 0])).toBe(5);
    expect(readOrZero(region, [1, 0])).toBe(0);
  });

  it("projects box origins through the affine map", () => {
    const p = IndexProjection.of(
      ZAffineMap.fromMatrix(
        [
          [2, 0],
          [0, 1],
        ],
        [-1, 3],
      ),
      [3, 1],
    );
    expect(projectOrigin(p, [4, 5])).toEqual([7, 8]);
  });

  it("rounds accumulators once into the dtype", () => {
    const acc = new Float64Array([1.5, -1.5, 2 ** 31, 1 / 3]);
    expect(Array.from(regionFromAccumulator("int32", ZRange.fromShape([4]), acc).data)).toEqual([
      1,
      -1,
      -(2 ** 31),
      0,
    ]);
    expect(regionFromAccumulator("float32", ZRange.fromShape([4]), acc).data[3]).toBe(Math.fround(1 / 3));
  });
});

describe("outputRange", () => {
  const out = IndexProjection.pointwise(ZAffineMap.projection([0], 2));

  it("is the projection of the index when no reduction dimension is empty", () => {
    expect(outputRange(out, ZRange.fromBounds([1, 2], [3, 4]), [{ dim: 1, monoid: "sum" }])).toEqual(
      ZRange.fromBounds([1], [3]),
    );
  });

  it("collapses an empty reduction dimension instead of emptying the output", () => {
    expect(outputRange(out, ZRange.fromBounds([1, 2], [3, 2]), [{ dim: 1, monoid: "sum" }])).toEqual(
      ZRange.fromBounds([1], [3]),
    );
    expect(outputRange(out, ZRange.fromBounds([1, 2], [3, 2]), []).isEmpty()).toBe(true);
  });
});

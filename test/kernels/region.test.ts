import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeRegion, type Region, sliceRegion, writeRegion, zeroRegion } from "../../src/kernels/region.js";
import { ZRange } from "../../src/zspace/z-range.js";
import { rangeAndBox } from "../support/range-and-box.js";

/** The value at `point` of `region`, by strides, element by element (the specification). */
function at(region: Region, point: readonly number[]): number {
  const strides = region.range.strides();
  let offset = 0;
  point.forEach((x, d) => {
    offset += (x - region.range.start.coords[d]!) * strides[d]!;
  });
  return region.data[offset] as number;
}

/** Every point of `range`, row-major. */
function points(range: ZRange): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[], d: number) => {
    if (d === range.rank) {
      out.push(prefix);
      return;
    }
    for (let x = range.start.coords[d]!; x < range.end.coords[d]!; x++) walk([...prefix, x], d + 1);
  };
  walk([], 0);
  return out;
}

function filled(range: ZRange, seed: number): Region {
  const r = zeroRegion("float32", range);
  for (let i = 0; i < r.data.length; i++) r.data[i] = seed + i;
  return r;
}

describe("regions: copies between boxes", () => {
  it("sliceRegion gives every point of the box its value in the source, however the box is cut", () => {
    fc.assert(
      fc.property(rangeAndBox, ({ range, box }) => {
        const source = filled(range, 1);
        const slice = sliceRegion(source, box);
        expect(slice.range.equals(box)).toBe(true);
        for (const p of points(box)) expect(at(slice, p)).toBe(at(source, p));
      }),
      { numRuns: 300 },
    );
  });

  it("writeRegion copies exactly the overlap and leaves the rest of the target alone", () => {
    fc.assert(
      fc.property(rangeAndBox, ({ range, box }) => {
        const target = filled(range, 1000);
        const before = filled(range, 1000);
        const source = filled(box, -500);
        writeRegion(target, source);
        for (const p of points(range)) {
          const inside = p.every((x, d) => x >= box.start.coords[d]! && x < box.end.coords[d]!);
          expect(at(target, p)).toBe(inside ? at(source, p) : at(before, p));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("copies long rows (over the short-run threshold) as well as short ones", () => {
    const range = ZRange.fromShape([3, 200]);
    const source = makeRegion(
      "float32",
      range,
      Float32Array.from({ length: 600 }, (_, i) => i),
    );
    const box = ZRange.fromBounds([1, 10], [3, 150]);
    const slice = sliceRegion(source, box);
    for (const p of points(box)) expect(at(slice, p)).toBe(at(source, p));
  });
});

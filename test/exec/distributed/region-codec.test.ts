import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { regionBytes, regionBytesView } from "../../../src/exec/distributed/region-codec.js";
import { zeroRegion } from "../../../src/kernels/region.js";
import { ZRange } from "../../../src/zspace/z-range.js";
import { rangeAndBox } from "../../support/range-and-box.js";

describe("the bytes of a box of a region, as the coordinator serves its inputs", () => {
  it("are the same bytes as a copy, and a view of the region exactly when the box is contiguous in it", () => {
    fc.assert(
      fc.property(rangeAndBox, ({ range, box }) => {
        const region = zeroRegion("float32", range);
        for (let i = 0; i < region.data.length; i++) region.data[i] = i + 0.5;
        const view = regionBytesView(region, box);
        expect(view.equals(regionBytes(region, box))).toBe(true);
        // Contiguous: whole trailing dimensions after single indices in the leading ones.
        const extent = (r: ZRange, d: number) => r.end.coords[d]! - r.start.coords[d]!;
        let k = box.rank - 1;
        while (k > 0 && extent(box, k) === extent(range, k)) k--;
        const contiguous = Array.from({ length: k }, (_, d) => extent(box, d)).every((e) => e === 1);
        expect(view.buffer === region.data.buffer).toBe(contiguous);
      }),
      { numRuns: 300 },
    );
  });

  it("of a row block of a matrix stored at an offset in a larger buffer are a view at the right place", () => {
    const backing = new Float32Array(4 + 6 * 3).map((_, i) => i);
    const region = { dtype: "float32" as const, range: ZRange.fromShape([6, 3]), data: backing.subarray(4) };
    const rows = regionBytesView(region, ZRange.fromBounds([2, 0], [4, 3]));
    expect([...new Float32Array(rows.buffer, rows.byteOffset, rows.byteLength / 4)]).toEqual([
      10, 11, 12, 13, 14, 15,
    ]);
  });
});

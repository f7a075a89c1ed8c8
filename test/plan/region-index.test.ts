// The region index finds a read's writers without testing every writer: whatever the regions
// (a grid, uneven cuts, boxes offset in every dimension), the candidates of a query include
// every region overlapping it, ascending, and on a grid nothing else.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { regionIndex } from "../../src/plan/region-index.js";
import { ZRange } from "../../src/zspace/index.js";

const box = fc
  .array(fc.tuple(fc.integer({ min: -8, max: 8 }), fc.nat({ max: 6 })), { minLength: 2, maxLength: 2 })
  .map((dims) =>
    ZRange.fromBounds(
      dims.map(([a]) => a),
      dims.map(([a, n]) => a + n),
    ),
  );

/** A grid of `rows × cols` cells over [0, 12)²: cuts at the given sorted points. */
function grid(rowCuts: number[], colCuts: number[]): ZRange[] {
  const rows = [0, ...rowCuts, 12];
  const cols = [0, ...colCuts, 12];
  const out: ZRange[] = [];
  for (let i = 0; i + 1 < rows.length; i++)
    for (let j = 0; j + 1 < cols.length; j++)
      out.push(ZRange.fromBounds([rows[i]!, cols[j]!], [rows[i + 1]!, cols[j + 1]!]));
  return out;
}

const cuts = fc
  .uniqueArray(fc.integer({ min: 1, max: 11 }), { maxLength: 6 })
  .map((c) => c.sort((a, b) => a - b));

describe("regionIndex", () => {
  it("lists every region overlapping a query, ascending, for any regions", () => {
    fc.assert(
      fc.property(
        fc.array(box, { maxLength: 30 }),
        fc.array(box, { minLength: 1, maxLength: 10 }),
        (regions, queries) => {
          const index = regionIndex(regions);
          for (const q of queries) {
            const found = index.candidates(q);
            expect([...found].sort((a, b) => a - b)).toEqual(found);
            const overlapping = regions.flatMap((r, i) =>
              r.intersects(q) && !q.isEmpty() && !r.isEmpty() ? [i] : [],
            );
            for (const i of overlapping) expect(found).toContain(i);
          }
        },
      ),
    );
  });

  it("lists exactly the overlapping cells of a grid", () => {
    fc.assert(
      fc.property(cuts, cuts, fc.array(box, { minLength: 1, maxLength: 10 }), (rows, cols, queries) => {
        const regions = grid(rows, cols);
        const index = regionIndex(regions);
        for (const q of queries) {
          const overlapping = regions.flatMap((r, i) =>
            !q.isEmpty() && !r.intersect(q).isEmpty() ? [i] : [],
          );
          expect(index.candidates(q)).toEqual(overlapping);
        }
      }),
    );
  });

  it("finds nothing among empty regions or for an empty query", () => {
    const empty = ZRange.fromBounds([0, 0], [0, 4]);
    expect(regionIndex([empty, empty]).candidates(ZRange.fromBounds([0, 0], [4, 4]))).toEqual([]);
    expect(regionIndex(grid([4], [4])).candidates(ZRange.fromBounds([1, 1], [1, 3]))).toEqual([]);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type DimSplit,
  evenBoundaries,
  gridBoxes,
  tiles,
  tilingDefect,
  ZRange,
} from "../../src/zspace/index.js";
import { rangeAndSplit } from "./arbitraries.js";
import { expectTesseraError } from "./expect-error.js";

const r = (start: number[], end: number[]): ZRange => ZRange.fromBounds(start, end);
const json = (boxes: readonly ZRange[]) => boxes.map((b) => b.toJSON());

/** How many boxes a split makes: the product of the pieces per split dimension. */
function boxCount(splits: readonly DimSplit[]): number {
  return splits.reduce((n, sp) => n * ("parts" in sp ? sp.parts : sp.cuts.length + 1), 1);
}

describe("evenBoundaries", () => {
  it.each([
    [0, 10, 3, [0, 4, 7, 10]],
    [0, 9, 3, [0, 3, 6, 9]],
    [-5, 6, 4, [-5, -2, 1, 4, 6]],
    [2, 3, 1, [2, 3]],
    [4, 4, 1, [4, 4]],
    [0, 5, 5, [0, 1, 2, 3, 4, 5]],
  ])("[%i, %i) in %i parts has boundaries %j (larger pieces first)", (s, e, parts, expected) => {
    expect(evenBoundaries(s, e, parts)).toEqual(expected);
  });

  it("pieces differ in size by at most 1, larger ones first, and cover [s, e) in order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -20, max: 20 }),
        fc
          .integer({ min: 1, max: 40 })
          .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }))),
        (s, [extent, parts]) => {
          const b = evenBoundaries(s, s + extent, parts);
          expect(b).toHaveLength(parts + 1);
          expect(b[0]).toBe(s);
          expect(b.at(-1)).toBe(s + extent);
          const sizes = b.slice(1).map((x, k) => x - b[k]!);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          for (let k = 1; k < sizes.length; k++) expect(sizes[k]!).toBeLessThanOrEqual(sizes[k - 1]!);
          expect(Math.min(...sizes)).toBeGreaterThan(0);
        },
      ),
    );
  });

  it.each([
    ["zero parts", 0, 10, 0],
    ["negative parts", 0, 10, -1],
    ["fractional parts", 0, 10, 1.5],
    ["more parts than elements", 0, 3, 4],
    ["an empty dimension into 2 parts", 5, 5, 2],
  ])("rejects %s with invalid_split", (_, s, e, parts) => {
    expectTesseraError(() => evenBoundaries(s, e, parts), "invalid_split");
  });

  it("states the dimension size in the message when asked for too many parts", () => {
    const error = expectTesseraError(() => r([0, 0], [4, 6]).splitDim(1, 7), "invalid_split");
    expect(error.summary).toBe("dimension 1 is split into 7 parts, but the dimension size is 6");
    expect(error.context).toEqual({ dim: 1, parts: 7, size: 6 });
  });
});

describe("ZRange.split", () => {
  it("follows the doc example: [0,10)×[0,4) in 3 parts along dim 0 is 4/3/3 rows", () => {
    expect(json(r([0, 0], [10, 4]).split([{ dim: 0, parts: 3 }]))).toEqual(
      json([r([0, 0], [4, 4]), r([4, 0], [7, 4]), r([7, 0], [10, 4])]),
    );
  });

  it("returns boxes in row-major grid order (the last split dimension varies fastest)", () => {
    const boxes = r([0, 0], [4, 4]).split([
      { dim: 1, parts: 2 },
      { dim: 0, parts: 2 },
    ]);
    expect(json(boxes)).toEqual(
      json([r([0, 0], [2, 2]), r([0, 2], [2, 4]), r([2, 0], [4, 2]), r([2, 2], [4, 4])]),
    );
  });

  it("cuts at explicit absolute coordinates, including with a negative origin", () => {
    expect(json(r([-4], [6]).split([{ dim: 0, cuts: [-1, 5] }]))).toEqual(
      json([r([-4], [-1]), r([-1], [5]), r([5], [6])]),
    );
  });

  it("an empty cut list or a split into 1 part leaves the dimension whole", () => {
    const a = r([1, 2], [5, 9]);
    expect(json(a.split([{ dim: 0, cuts: [] }]))).toEqual([a.toJSON()]);
    expect(json(a.split([{ dim: 1, parts: 1 }]))).toEqual([a.toJSON()]);
    expect(json(a.split([]))).toEqual([a.toJSON()]);
  });

  it("an empty dimension may be 'split' into 1 part, keeping the empty range", () => {
    const e = r([0, 3], [4, 3]);
    expect(json(e.split([{ dim: 1, parts: 1 }]))).toEqual([e.toJSON()]);
    expect(e.splitDim(0, 2)).toHaveLength(2);
  });

  it.each<[string, DimSplit[]]>([
    [
      "a dimension split twice",
      [
        { dim: 0, parts: 2 },
        { dim: 0, cuts: [3] },
      ],
    ],
    ["cuts that are not ascending", [{ dim: 0, cuts: [5, 3] }]],
    ["a repeated cut", [{ dim: 0, cuts: [3, 3] }]],
    ["a cut at the start", [{ dim: 0, cuts: [0] }]],
    ["a cut at the end", [{ dim: 0, cuts: [10] }]],
    ["a cut outside", [{ dim: 0, cuts: [12] }]],
    ["a fractional cut", [{ dim: 0, cuts: [2.5] }]],
    ["zero parts", [{ dim: 1, parts: 0 }]],
    ["more parts than the extent", [{ dim: 1, parts: 5 }]],
  ])("rejects %s with invalid_split", (_, splits) => {
    expectTesseraError(() => r([0, 0], [10, 4]).split(splits), "invalid_split");
  });

  it.each([[-1], [2], [0.5]])(
    "rejects splitting dimension %s of a rank-2 range with dimension_out_of_bounds",
    (dim) => {
      const error = expectTesseraError(() => r([0, 0], [10, 4]).splitDim(dim, 2), "dimension_out_of_bounds");
      expect(error.context).toEqual({ dim, rank: 2 });
    },
  );

  it("a grid split (even or at cuts, on random dimensions) tiles its range", () => {
    fc.assert(
      fc.property(rangeAndSplit(), ([a, splits]) => {
        const boxes = a.split(splits);
        expect(tilingDefect(boxes, a)).toBeUndefined();
        expect(tiles(boxes, a)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("split sizes sum to the size of the range, and the box count is the product of the pieces", () => {
    fc.assert(
      fc.property(rangeAndSplit(), ([a, splits]) => {
        const boxes = a.split(splits);
        expect(boxes.reduce((n, b) => n + b.size, 0)).toBe(a.size);
        expect(boxes).toHaveLength(boxCount(splits));
      }),
      { numRuns: 300 },
    );
  });

  it("splitting a non-empty range never yields an empty box", () => {
    fc.assert(
      fc.property(rangeAndSplit({ minExtent: 1 }), ([a, splits]) => {
        for (const b of a.split(splits)) expect(b.isEmpty()).toBe(false);
      }),
    );
  });

  it("the first box starts at the range's start and the last ends at its end", () => {
    fc.assert(
      fc.property(rangeAndSplit(), ([a, splits]) => {
        const boxes = a.split(splits);
        expect(boxes[0]!.start.equals(a.start)).toBe(true);
        expect(boxes.at(-1)!.end.equals(a.end)).toBe(true);
      }),
    );
  });

  it("does not depend on the order in which dimensions are listed", () => {
    fc.assert(
      fc.property(rangeAndSplit(), ([a, splits]) => {
        const sorted = [...splits].sort((x, y) => x.dim - y.dim);
        expect(json(a.split(splits))).toEqual(json(a.split(sorted)));
      }),
    );
  });

  it("an even split of one dimension gives piece sizes differing by at most 1, larger first", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 30 })
          .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }))),
        fc.integer({ min: -10, max: 10 }),
        ([extent, parts], s) => {
          const sizes = r([0, s], [2, s + extent])
            .splitDim(1, parts)
            .map((b) => b.shape.at(1));
          expect(sizes).toHaveLength(parts);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          expect([...sizes].sort((x, y) => y - x)).toEqual(sizes);
        },
      ),
    );
  });
});

describe("gridBoxes", () => {
  it("makes every box of a grid from per-dimension boundaries, row-major", () => {
    expect(
      json(
        gridBoxes([
          [0, 1, 3],
          [5, 6],
        ]),
      ),
    ).toEqual(json([r([0, 5], [1, 6]), r([1, 5], [3, 6])]));
  });

  it("with no dimensions makes the one scalar box", () => {
    expect(json(gridBoxes([]))).toEqual([ZRange.scalar().toJSON()]);
  });
});

describe("tilingDefect", () => {
  const whole = r([0, 0], [4, 4]);
  const halves = [r([0, 0], [2, 4]), r([2, 0], [4, 4])];

  it("is undefined for an exact tiling, in any order", () => {
    expect(tilingDefect(halves, whole)).toBeUndefined();
    expect(tilingDefect([...halves].reverse(), whole)).toBeUndefined();
  });

  it("ignores empty boxes wherever they sit, even outside the whole", () => {
    expect(tilingDefect([...halves, r([9, 9], [9, 12]), r([1, 1], [1, 3])], whole)).toBeUndefined();
  });

  it.each([
    ["rank: a box of another rank", [halves[0]!, r([2], [4])], { kind: "rank", index: 1 }],
    [
      "outside: a box reaching past the whole",
      [halves[0]!, r([2, 0], [5, 4])],
      { kind: "outside", index: 1 },
    ],
    [
      "outside: a box with a negative origin",
      [r([-1, 0], [2, 4]), halves[1]!],
      { kind: "outside", index: 0 },
    ],
    ["gap: a missing box, counting the missing points", [halves[0]!], { kind: "gap", missing: 8 }],
    ["gap: no boxes at all", [], { kind: "gap", missing: 16 }],
  ])("reports %s", (_, boxes, expected) => {
    expect(tilingDefect(boxes, whole)).toEqual(expected);
  });

  it("reports an overlap with the indices in ascending order and the common part", () => {
    const defect = tilingDefect([r([1, 0], [4, 4]), r([0, 0], [2, 4])], whole);
    expect(defect?.kind).toBe("overlap");
    if (defect?.kind !== "overlap") return;
    expect([defect.first, defect.second]).toEqual([0, 1]);
    expect(defect.common.toJSON()).toEqual(r([1, 0], [2, 4]).toJSON());
  });

  it("finds an overlap between boxes that share a dimension-0 slab but are not adjacent in the list", () => {
    const boxes = [r([0, 0], [4, 1]), r([0, 1], [4, 2]), r([0, 3], [4, 4]), r([0, 1], [4, 3])];
    expect(tilingDefect(boxes, whole)).toMatchObject({ kind: "overlap", first: 1, second: 3 });
  });

  it("reports overlap before gap: two copies of half the whole overlap even though sizes add up", () => {
    expect(tilingDefect([halves[0]!, halves[0]!], whole)?.kind).toBe("overlap");
  });

  it("for the scalar range: one scalar box tiles, two overlap, none leaves a gap of 1", () => {
    const s = ZRange.scalar();
    expect(tilingDefect([s], s)).toBeUndefined();
    expect(tilingDefect([s, s], s)).toMatchObject({ kind: "overlap", first: 0, second: 1 });
    expect(tilingDefect([], s)).toEqual({ kind: "gap", missing: 1 });
  });

  it("an empty whole is tiled by no boxes or by empty boxes", () => {
    const e = r([0, 3], [4, 3]);
    expect(tiles([], e)).toBe(true);
    expect(tiles(e.splitDim(0, 2), e)).toBe(true);
  });

  it("detects a dropped box of a split as a gap and a duplicated one as an overlap", () => {
    fc.assert(
      fc.property(
        rangeAndSplit({ minExtent: 1 }).chain(([a, splits]) => {
          const boxes = a.split(splits);
          return fc.tuple(fc.constant(a), fc.constant(boxes), fc.nat({ max: boxes.length - 1 }));
        }),
        ([a, boxes, k]) => {
          const dropped = boxes.filter((_, i) => i !== k);
          expect(tilingDefect(dropped, a)).toEqual({ kind: "gap", missing: boxes[k]!.size });
          const doubled = [...boxes, boxes[k]!];
          expect(tilingDefect(doubled, a)).toMatchObject({ kind: "overlap", first: k, second: boxes.length });
        },
      ),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ZPoint, ZRange } from "../../src/zspace/index.js";
import { pointsOf, range, rangeAndPoint, rangeOfRank, sameRankRanges } from "./arbitraries.js";
import { expectTesseraError } from "./expect-error.js";

const r = (start: number[], end: number[]): ZRange => ZRange.fromBounds(start, end);

/** True when `a` comes strictly before `b` in row-major (lexicographic) order. */
function lexLess(a: ZPoint, b: ZPoint): boolean {
  for (let i = 0; i < a.rank; i++) {
    if (a.at(i) !== b.at(i)) return a.at(i) < b.at(i);
  }
  return false;
}

describe("ZRange construction", () => {
  it("fromBounds, fromShape and fromStartShape describe the same half-open box", () => {
    const a = r([2, -1], [5, 3]);
    expect(ZRange.fromStartShape([2, -1], [3, 4]).equals(a)).toBe(true);
    expect(ZRange.fromShape([3, 4]).translate(ZPoint.of(2, -1)).equals(a)).toBe(true);
    expect(a.shape.coords).toEqual([3, 4]);
    expect(a.size).toBe(12);
    expect(a.toString()).toBe("[2:5, -1:3)");
  });

  it("accepts ZPoints as well as arrays", () => {
    expect(ZRange.fromBounds(ZPoint.of(0), ZPoint.of(2)).equals(r([0], [2]))).toBe(true);
    expect(ZRange.fromShape(ZPoint.of(2)).equals(r([0], [2]))).toBe(true);
  });

  it("fromBounds with end before start throws end_before_start naming the dimension", () => {
    const error = expectTesseraError(() => r([0, 4], [1, 2]), "end_before_start");
    expect(error.context).toEqual({ dim: 1, start: 4, end: 2 });
  });

  it("fromBounds with bounds of different ranks throws rank_mismatch", () => {
    expectTesseraError(() => r([0], [1, 2]), "rank_mismatch");
  });

  it("fromShape with a negative extent throws negative_extent", () => {
    const error = expectTesseraError(() => ZRange.fromShape([2, -1]), "negative_extent");
    expect(error.context).toEqual({ dim: 1, found: -1 });
  });

  it("fromBounds with a non-integer bound throws not_integer", () => {
    expectTesseraError(() => r([0.5], [1]), "not_integer");
  });
});

describe("ZRange rank 0 (the scalar range)", () => {
  const s = ZRange.scalar();

  it("has shape (), size 1, and is not empty", () => {
    expect(s.rank).toBe(0);
    expect(s.isScalar()).toBe(true);
    expect(s.shape.rank).toBe(0);
    expect(s.size).toBe(1);
    expect(s.isEmpty()).toBe(false);
    expect(s.toString()).toBe("[)");
  });

  it("has exactly one point, (), at offset 0", () => {
    const pts = pointsOf(s);
    expect(pts.map(String)).toEqual(["()"]);
    expect(s.contains(ZPoint.of())).toBe(true);
    expect(s.offsetOf(ZPoint.of())).toBe(0);
    expect(s.strides()).toEqual([]);
  });

  it("equals fromBounds([], []) and fromShape([])", () => {
    expect(s.equals(r([], []))).toBe(true);
    expect(s.equals(ZRange.fromShape([]))).toBe(true);
  });

  it("intersects itself, and intersect / boundingUnion of scalars are the scalar", () => {
    expect(s.intersects(s)).toBe(true);
    expect(s.intersect(s).equals(s)).toBe(true);
    expect(s.boundingUnion(s).equals(s)).toBe(true);
    expect(s.contains(s)).toBe(true);
  });

  it("splitting nothing gives the scalar range back as the only box", () => {
    const boxes = s.split([]);
    expect(boxes).toHaveLength(1);
    expect(boxes[0]!.equals(s)).toBe(true);
  });

  it("splitting any dimension of a scalar throws dimension_out_of_bounds", () => {
    expectTesseraError(() => s.splitDim(0, 1), "dimension_out_of_bounds");
  });
});

describe("ZRange empty ranges", () => {
  const e = r([3, 5], [3, 9]);

  it("a range with a zero-extent dimension is empty: size 0, no points", () => {
    expect(e.isEmpty()).toBe(true);
    expect(e.size).toBe(0);
    expect(pointsOf(e)).toEqual([]);
    expect(e.contains(ZPoint.of(3, 6))).toBe(false);
  });

  it("keeps its position: equality is structural, so empty ranges at different places differ", () => {
    expect(e.equals(r([3, 5], [3, 9]))).toBe(true);
    expect(e.equals(r([0, 0], [0, 0]))).toBe(false);
  });

  it("is contained in every range of the same rank, even far away or itself empty", () => {
    expect(r([100, 100], [101, 101]).contains(e)).toBe(true);
    expect(r([0, 0], [0, 0]).contains(e)).toBe(true);
  });

  it("an empty range contains no non-empty range", () => {
    expect(e.contains(r([3, 5], [4, 6]))).toBe(false);
  });

  it("is the identity of boundingUnion on either side", () => {
    const a = r([-2, 0], [1, 4]);
    expect(a.boundingUnion(e).equals(a)).toBe(true);
    expect(e.boundingUnion(a).equals(a)).toBe(true);
  });

  it("intersects nothing, and its intersection with anything is empty", () => {
    const a = r([0, 0], [10, 10]);
    expect(e.intersects(a)).toBe(false);
    expect(a.intersects(e)).toBe(false);
    expect(a.intersect(e).isEmpty()).toBe(true);
  });

  it("empty ranges are contained in every range (property)", () => {
    fc.assert(
      fc.property(sameRankRanges(2), ([a, b]) => {
        if (a!.isEmpty()) expect(b!.contains(a!)).toBe(true);
      }),
    );
  });
});

describe("ZRange negative origins", () => {
  const a = r([-3, -1], [-1, 2]);

  it("shape, size and points account for the origin", () => {
    expect(a.shape.coords).toEqual([2, 3]);
    expect(a.size).toBe(6);
    expect(pointsOf(a).map(String)).toEqual([
      "(-3, -1)",
      "(-3, 0)",
      "(-3, 1)",
      "(-2, -1)",
      "(-2, 0)",
      "(-2, 1)",
    ]);
  });

  it("offsetOf is relative to the start, with row-major strides", () => {
    expect(a.strides()).toEqual([3, 1]);
    expect(a.offsetOf(ZPoint.of(-3, -1))).toBe(0);
    expect(a.offsetOf(ZPoint.of(-2, 1))).toBe(5);
  });

  it("the end is exclusive", () => {
    expect(a.contains(ZPoint.of(-1, 0))).toBe(false);
    expect(a.contains(ZPoint.of(-2, 2))).toBe(false);
    expect(a.contains(ZPoint.of(-2, 1))).toBe(true);
  });
});

describe("ZRange intersect", () => {
  it.each([
    ["overlapping boxes give the common part", r([0, 0], [4, 4]), r([2, -1], [6, 3]), r([2, 0], [4, 3])],
    ["nested boxes give the inner one", r([0, 0], [9, 9]), r([1, 2], [3, 4]), r([1, 2], [3, 4])],
    [
      "disjoint boxes give an empty range at the max of the starts",
      r([0, 0], [2, 2]),
      r([5, 1], [7, 3]),
      r([5, 1], [5, 2]),
    ],
    ["touching boxes (half-open) share nothing", r([0], [3]), r([3], [5]), r([3], [3])],
    [
      "disjoint in every dimension collapses at the max of the starts",
      r([0, 0], [1, 1]),
      r([4, 6], [5, 7]),
      r([4, 6], [4, 6]),
    ],
  ])("%s", (_, a, b, expected) => {
    expect(a.intersect(b).toJSON()).toEqual(expected.toJSON());
    expect(a.intersects(b)).toBe(!expected.isEmpty());
  });

  it("ranges of different ranks throw rank_mismatch", () => {
    expectTesseraError(() => r([0], [1]).intersect(r([0, 0], [1, 1])), "rank_mismatch");
    expectTesseraError(() => r([0], [1]).intersects(r([0, 0], [1, 1])), "rank_mismatch");
    expectTesseraError(() => r([0], [1]).boundingUnion(r([0, 0], [1, 1])), "rank_mismatch");
    expectTesseraError(() => r([0], [1]).contains(r([0, 0], [1, 1])), "rank_mismatch");
  });

  it("is commutative, including for empty and disjoint ranges", () => {
    fc.assert(
      fc.property(sameRankRanges(2), ([a, b]) => {
        expect(a!.intersect(b!).toJSON()).toEqual(b!.intersect(a!).toJSON());
      }),
      { numRuns: 300 },
    );
  });

  it("is associative, including for empty and disjoint ranges", () => {
    fc.assert(
      fc.property(sameRankRanges(3), ([a, b, c]) => {
        expect(a!.intersect(b!).intersect(c!).toJSON()).toEqual(a!.intersect(b!.intersect(c!)).toJSON());
      }),
      { numRuns: 300 },
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(range(), (a) => {
        expect(a.intersect(a).equals(a)).toBe(true);
      }),
    );
  });

  it("is contained in both operands", () => {
    fc.assert(
      fc.property(sameRankRanges(2), ([a, b]) => {
        const i = a!.intersect(b!);
        expect(a!.contains(i)).toBe(true);
        expect(b!.contains(i)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("holds exactly the points that lie in both operands", () => {
    fc.assert(
      fc.property(sameRankRanges(2, { maxExtent: 3 }), ([a, b]) => {
        const i = a!.intersect(b!);
        const both = pointsOf(a!).filter((p) => b!.contains(p));
        expect(pointsOf(i).map(String)).toEqual(both.map(String));
      }),
    );
  });

  it("intersects(b) is true exactly when intersect(b) is non-empty", () => {
    fc.assert(
      fc.property(sameRankRanges(2), ([a, b]) => {
        expect(a!.intersects(b!)).toBe(!a!.intersect(b!).isEmpty());
      }),
      { numRuns: 300 },
    );
  });
});

describe("ZRange boundingUnion", () => {
  it("is the smallest box holding both operands", () => {
    expect(
      r([0, 5], [2, 6])
        .boundingUnion(r([4, -1], [5, 0]))
        .toJSON(),
    ).toEqual(r([0, -1], [5, 6]).toJSON());
  });

  it("contains both operands", () => {
    fc.assert(
      fc.property(sameRankRanges(2), ([a, b]) => {
        const u = a!.boundingUnion(b!);
        expect(u.contains(a!)).toBe(true);
        expect(u.contains(b!)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("is commutative when an operand is non-empty, and associative", () => {
    fc.assert(
      fc.property(sameRankRanges(3), ([a, b, c]) => {
        if (!a!.isEmpty() || !b!.isEmpty()) {
          expect(a!.boundingUnion(b!).toJSON()).toEqual(b!.boundingUnion(a!).toJSON());
        }
        expect(a!.boundingUnion(b!).boundingUnion(c!).toJSON()).toEqual(
          a!.boundingUnion(b!.boundingUnion(c!)).toJSON(),
        );
      }),
    );
  });

  it("of two non-empty ranges spans the min of the starts to the max of the ends", () => {
    fc.assert(
      fc.property(sameRankRanges(2, { minExtent: 1 }), ([a, b]) => {
        const u = a!.boundingUnion(b!);
        expect(u.start.equals(a!.start.min(b!.start))).toBe(true);
        expect(u.end.equals(a!.end.max(b!.end))).toBe(true);
      }),
    );
  });
});

describe("ZRange points, contains and offsetOf", () => {
  it("points() enumerates exactly size points, in row-major order, all contained", () => {
    fc.assert(
      fc.property(range(), (a) => {
        const pts = pointsOf(a);
        expect(pts).toHaveLength(a.size);
        for (const p of pts) expect(a.contains(p)).toBe(true);
        for (let k = 1; k < pts.length; k++) expect(lexLess(pts[k - 1]!, pts[k]!)).toBe(true);
      }),
    );
  });

  it("the first point is start and the last is end - 1 for a non-empty range", () => {
    fc.assert(
      fc.property(range({ minExtent: 1 }), (a) => {
        const pts = pointsOf(a);
        expect(pts[0]!.equals(a.start)).toBe(true);
        expect(pts.at(-1)!.equals(a.end.sub(ZPoint.ones(a.rank)))).toBe(true);
      }),
    );
  });

  it("contains(point) holds exactly for the points that points() enumerates", () => {
    fc.assert(
      fc.property(rangeAndPoint(), ([a, p]) => {
        const listed = pointsOf(a).some((q) => q.equals(p));
        expect(a.contains(p)).toBe(listed);
      }),
      { numRuns: 300 },
    );
  });

  it("offsetOf(p) is p's index in the enumeration", () => {
    fc.assert(
      fc.property(range(), (a) => {
        pointsOf(a).forEach((p, k) => {
          expect(a.offsetOf(p)).toBe(k);
        });
      }),
    );
  });

  it("strides are row-major: the last dimension is fastest", () => {
    expect(r([0, 0, 0], [2, 3, 4]).strides()).toEqual([12, 4, 1]);
  });

  it("offsetOf a point outside throws dimension_out_of_bounds", () => {
    const error = expectTesseraError(
      () => r([0, 0], [2, 2]).offsetOf(ZPoint.of(2, 0)),
      "dimension_out_of_bounds",
    );
    expect(error.context).toEqual({ point: [2, 0], range: { start: [0, 0], end: [2, 2] } });
  });

  it("contains of a point of another rank throws rank_mismatch", () => {
    expectTesseraError(() => r([0, 0], [2, 2]).contains(ZPoint.of(1)), "rank_mismatch");
  });

  it("a range contains itself and every sub-box of it", () => {
    fc.assert(
      fc.property(sameRankRanges(2), ([a, b]) => {
        expect(a!.contains(a!)).toBe(true);
        expect(a!.contains(a!.intersect(b!))).toBe(true);
      }),
    );
  });
});

describe("ZRange translate", () => {
  it("moves the box without changing its shape, and translating back is the identity", () => {
    fc.assert(
      fc.property(
        rangeOfRank(3).chain((a) =>
          fc.tuple(fc.constant(a), fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 3, maxLength: 3 })),
        ),
        ([a, d]) => {
          const delta = ZPoint.from(d);
          const t = a.translate(delta);
          expect(t.shape.equals(a.shape)).toBe(true);
          expect(t.translate(delta.neg()).equals(a)).toBe(true);
        },
      ),
    );
  });

  it("overflowing the safe-integer range throws coordinate_overflow", () => {
    const big = Number.MAX_SAFE_INTEGER;
    expectTesseraError(() => r([0], [1]).translate(ZPoint.of(big)), "coordinate_overflow");
  });
});

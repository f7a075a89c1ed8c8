import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IndexProjection, ZAffineMap, ZPoint, ZRange } from "../../src/zspace/index.js";
import { boundingUnionOf, pointsOf, projectionAndRange, projectionOf, rank, splitOf } from "./arbitraries.js";
import { expectTesseraError } from "./expect-error.js";

const r = (start: number[], end: number[]): ZRange => ZRange.fromBounds(start, end);

/** The three projections of `C[i, j] += A[i, k] · B[k, j]` over the index space `(i, j, k)`. */
const matmul = {
  a: IndexProjection.pointwise(ZAffineMap.projection([0, 2], 3)),
  b: IndexProjection.pointwise(ZAffineMap.projection([2, 1], 3)),
  c: IndexProjection.pointwise(ZAffineMap.projection([0, 1], 3)),
};

describe("IndexProjection construction", () => {
  it("of(map, shape) keeps the map and the box shape", () => {
    const p = IndexProjection.of(ZAffineMap.fromMatrix([[2]], [-1]), [3]);
    expect(p.inRank).toBe(1);
    expect(p.outRank).toBe(1);
    expect(p.shape.coords).toEqual([3]);
    expect(p.toString()).toBe("x ↦ [2·x0 - 1] × (3)");
  });

  it("pointwise(map) selects one element per index point", () => {
    const p = IndexProjection.pointwise(ZAffineMap.permutation([1, 0]));
    expect(p.apply(ZPoint.of(3, 5)).toJSON()).toEqual(r([5, 3], [6, 4]).toJSON());
  });

  it("identity(n) selects element i for index point i, and maps a range to itself", () => {
    const a = r([-2, 1], [3, 4]);
    expect(IndexProjection.identity(2).applyRange(a).toJSON()).toEqual(a.toJSON());
    expect(IndexProjection.identity(2).equals(IndexProjection.pointwise(ZAffineMap.identity(2)))).toBe(true);
  });

  it("a shape whose rank differs from the map's output rank throws rank_mismatch", () => {
    const error = expectTesseraError(() => IndexProjection.of(ZAffineMap.identity(2), [1]), "rank_mismatch");
    expect(error.context).toEqual({ expected: 2, found: 1 });
  });

  it("a negative shape extent throws negative_extent", () => {
    const error = expectTesseraError(
      () => IndexProjection.of(ZAffineMap.identity(2), [1, -2]),
      "negative_extent",
    );
    expect(error.context).toEqual({ dim: 1, found: -2 });
  });

  it("equals compares map and shape; translate shifts every selected box", () => {
    const p = IndexProjection.of(ZAffineMap.identity(1), [2]);
    expect(p.equals(IndexProjection.of(ZAffineMap.identity(1), [3]))).toBe(false);
    expect(p.translate(ZPoint.of(10)).apply(ZPoint.of(1)).toJSON()).toEqual(r([11], [13]).toJSON());
  });
});

describe("IndexProjection applyRange", () => {
  it("follows the doc example: a stride-2 width-3 convolution with padding 1 yields a halo", () => {
    const conv = IndexProjection.of(ZAffineMap.fromMatrix([[2]], [-1]), [3]);
    const shard0 = conv.applyRange(r([0], [4]));
    const shard1 = conv.applyRange(r([4], [8]));
    expect(shard0.toString()).toBe("[-1:8)");
    expect(shard1.toString()).toBe("[7:16)");
    expect(shard0.intersect(shard1).toString()).toBe("[7:8)");
  });

  it("for matmul, sharding i and j selects row blocks of A, column blocks of B and blocks of C", () => {
    const shard = r([0, 4, 0], [2, 8, 16]);
    expect(matmul.a.applyRange(shard).toJSON()).toEqual(r([0, 0], [2, 16]).toJSON());
    expect(matmul.b.applyRange(shard).toJSON()).toEqual(r([0, 4], [16, 8]).toJSON());
    expect(matmul.c.applyRange(shard).toJSON()).toEqual(r([0, 4], [2, 8]).toJSON());
  });

  it("is the bounding box of the boxes selected by every point (checked by enumeration)", () => {
    fc.assert(
      fc.property(projectionAndRange({ minExtent: 1 }), ([p, a]) => {
        const box = boundingUnionOf(pointsOf(a).map((x) => p.apply(x)))!;
        expect(p.applyRange(a).toJSON()).toEqual(box.toJSON());
      }),
      { numRuns: 300 },
    );
  });

  it("contains the box selected by every point", () => {
    fc.assert(
      fc.property(projectionAndRange(), ([p, a]) => {
        const image = p.applyRange(a);
        for (const x of a.points()) expect(image.contains(p.apply(x))).toBe(true);
      }),
    );
  });

  it("an empty index range selects the empty box at A·start + b", () => {
    const p = IndexProjection.of(ZAffineMap.fromMatrix([[-1, 0]], [3]), [2]);
    expect(p.applyRange(r([2, 5], [6, 5])).toJSON()).toEqual(r([1], [1]).toJSON());
  });

  it("a shape with a zero extent selects only empty boxes: the result is the first point's box, however large the range", () => {
    const p = IndexProjection.of(ZAffineMap.fromMatrix([[1], [-1]], [0, 10]), [2, 0]);
    const image = p.applyRange(r([3], [8]));
    expect(image.isEmpty()).toBe(true);
    expect(image.toJSON()).toEqual(r([3, 7], [5, 7]).toJSON());
    expect(image.toJSON()).toEqual(p.apply(ZPoint.of(3)).toJSON());
  });

  it("a range of the wrong rank throws rank_mismatch", () => {
    expectTesseraError(() => matmul.a.applyRange(r([0, 0], [1, 1])), "rank_mismatch");
  });

  it("a box end beyond the safe-integer range throws coordinate_overflow", () => {
    const p = IndexProjection.of(ZAffineMap.identity(1), [2]);
    const max = Number.MAX_SAFE_INTEGER;
    expectTesseraError(() => p.applyRange(r([max - 1], [max])), "coordinate_overflow");
    expectTesseraError(() => p.apply(ZPoint.of(max - 1)), "coordinate_overflow");
  });
});

describe("IndexProjection and splits", () => {
  /** A projection, a range of its index rank (up to 6 per dimension) and a legal split of the range. */
  const projectionRangeSplit = () =>
    fc
      .tuple(rank(), rank())
      .chain(([i, o]) => fc.tuple(projectionOf(i, o), fc.constant(i)))
      .chain(([p, i]) =>
        fc
          .tuple(
            fc.array(fc.integer({ min: -6, max: 6 }), { minLength: i, maxLength: i }),
            fc.array(fc.integer({ min: 0, max: 6 }), { minLength: i, maxLength: i }),
          )
          .map(([start, shape]) => ZRange.fromStartShape(start, shape))
          .chain((a) => fc.tuple(fc.constant(p), fc.constant(a), splitOf(a))),
      );

  it("the projection of each shard lies inside the projection of the whole", () => {
    fc.assert(
      fc.property(projectionRangeSplit(), ([p, a, splits]) => {
        const whole = p.applyRange(a);
        for (const shard of a.split(splits)) expect(whole.contains(p.applyRange(shard))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("the projections of the shards cover the projection of the whole: their bounding union equals it", () => {
    fc.assert(
      fc.property(projectionRangeSplit(), ([p, a, splits]) => {
        const parts = a.split(splits).map((shard) => p.applyRange(shard));
        expect(boundingUnionOf(parts)!.toJSON()).toEqual(p.applyRange(a).toJSON());
      }),
      { numRuns: 300 },
    );
  });

  it("the box selected by each index point lies in the projection of the shard holding that point", () => {
    fc.assert(
      fc.property(projectionRangeSplit(), ([p, a, splits]) => {
        const shards = a.split(splits);
        for (const x of a.points()) {
          const shard = shards.find((b) => b.contains(x))!;
          expect(p.applyRange(shard).contains(p.apply(x))).toBe(true);
        }
      }),
    );
  });
});

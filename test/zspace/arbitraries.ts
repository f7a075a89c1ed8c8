// fast-check arbitraries for Z-space values: ranks 0..4, negative origins, empty ranges and
// magnitudes small enough that ranges can be enumerated point by point.
import fc from "fast-check";
import { type DimSplit, IndexProjection, ZAffineMap, ZPoint, ZRange } from "../../src/zspace/index.js";

/** The largest rank generated. */
export const MAX_RANK = 4;

/** A rank in 0..MAX_RANK. */
export const rank = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: MAX_RANK });

/** A small coordinate, negative as often as positive. */
export const coord = (): fc.Arbitrary<number> => fc.integer({ min: -6, max: 6 });

/** A point of rank `n` with small coordinates. */
export const pointOfRank = (n: number, c = coord()): fc.Arbitrary<ZPoint> =>
  fc.array(c, { minLength: n, maxLength: n }).map((cs) => ZPoint.from(cs));

/** A point of any rank. */
export const point = (): fc.Arbitrary<ZPoint> => rank().chain((n) => pointOfRank(n));

/** Options for generated ranges. */
export interface RangeOptions {
  /** Smallest extent per dimension (0 allows empty ranges). */
  readonly minExtent?: number;
  /** Largest extent per dimension. */
  readonly maxExtent?: number;
}

/** A range of rank `n` with a small, possibly negative origin; empty in some runs unless `minExtent > 0`. */
export const rangeOfRank = (n: number, options: RangeOptions = {}): fc.Arbitrary<ZRange> => {
  const extent = fc.integer({ min: options.minExtent ?? 0, max: options.maxExtent ?? 4 });
  return fc
    .tuple(pointOfRank(n), fc.array(extent, { minLength: n, maxLength: n }))
    .map(([start, shape]) => ZRange.fromStartShape(start, shape));
};

/** A range of any rank. */
export const range = (options: RangeOptions = {}): fc.Arbitrary<ZRange> =>
  rank().chain((n) => rangeOfRank(n, options));

/** `k` ranges of one common rank. */
export const sameRankRanges = (k: number, options: RangeOptions = {}): fc.Arbitrary<ZRange[]> =>
  rank().chain((n) => fc.array(rangeOfRank(n, options), { minLength: k, maxLength: k }));

/** A range and a point of the same rank, the point near the range so that both answers of `contains` occur. */
export const rangeAndPoint = (): fc.Arbitrary<[ZRange, ZPoint]> =>
  rank().chain((n) => fc.tuple(rangeOfRank(n), pointOfRank(n, fc.integer({ min: -7, max: 11 }))));

/** An affine map from rank `inRank` to rank `outRank` with entries in -2..2 and offsets in -5..5. */
export const affineMapOf = (inRank: number, outRank: number): fc.Arbitrary<ZAffineMap> => {
  const row = fc.array(fc.integer({ min: -2, max: 2 }), { minLength: inRank, maxLength: inRank });
  return fc
    .tuple(
      fc.array(row, { minLength: outRank, maxLength: outRank }),
      fc.array(fc.integer({ min: -5, max: 5 }), { minLength: outRank, maxLength: outRank }),
    )
    .map(([matrix, offset]) => ZAffineMap.fromMatrix(matrix, offset, inRank));
};

/** An affine map between any two ranks. */
export const affineMap = (): fc.Arbitrary<ZAffineMap> =>
  fc.tuple(rank(), rank()).chain(([i, o]) => affineMapOf(i, o));

/** An affine map and a range of its input rank. */
export const mapAndRange = (options: RangeOptions = {}): fc.Arbitrary<[ZAffineMap, ZRange]> =>
  fc.tuple(rank(), rank()).chain(([i, o]) => fc.tuple(affineMapOf(i, o), rangeOfRank(i, options)));

/** Three composable maps `f`, `g`, `h` (so `f ∘ g ∘ h` is defined) and an input point of `h`. */
export const composableMaps = (): fc.Arbitrary<[ZAffineMap, ZAffineMap, ZAffineMap, ZPoint]> =>
  fc
    .tuple(rank(), rank(), rank(), rank())
    .chain(([a, b, c, d]) =>
      fc.tuple(affineMapOf(c, d), affineMapOf(b, c), affineMapOf(a, b), pointOfRank(a)),
    );

/** A permutation of 0..n-1. */
export const permutationOf = (n: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );

/** An index projection from rank `inRank` to rank `outRank`; box extents 0..3 (0 selects nothing). */
export const projectionOf = (inRank: number, outRank: number): fc.Arbitrary<IndexProjection> =>
  fc
    .tuple(
      affineMapOf(inRank, outRank),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: outRank, maxLength: outRank }),
    )
    .map(([map, shape]) => IndexProjection.of(map, shape));

/** An index projection between any two ranks. */
export const projection = (): fc.Arbitrary<IndexProjection> =>
  fc.tuple(rank(), rank()).chain(([i, o]) => projectionOf(i, o));

/** A projection and a range of its index rank. */
export const projectionAndRange = (options: RangeOptions = {}): fc.Arbitrary<[IndexProjection, ZRange]> =>
  fc.tuple(rank(), rank()).chain(([i, o]) => fc.tuple(projectionOf(i, o), rangeOfRank(i, options)));

/** A legal split of one dimension `[s, e)`: an even split into 1..extent parts, or ascending interior cuts. */
export const dimSplitOf = (dim: number, s: number, e: number): fc.Arbitrary<DimSplit> => {
  const interior = Array.from({ length: Math.max(0, e - s - 1) }, (_, k) => s + 1 + k);
  return fc.oneof(
    fc.integer({ min: 1, max: Math.max(1, e - s) }).map((parts): DimSplit => ({ dim, parts })),
    fc.subarray(interior).map((cuts): DimSplit => ({ dim, cuts })),
  );
};

/** A legal grid split of `r`: a random subset of its dimensions, each cut evenly or at random points, in random order. */
export const splitOf = (r: ZRange): fc.Arbitrary<DimSplit[]> => {
  const perDim = r.start.coords.map((s, dim) =>
    fc.option(dimSplitOf(dim, s, r.end.coords[dim]!), { nil: undefined }),
  );
  return fc
    .tuple(...perDim)
    .map((splits) => splits.filter((sp): sp is DimSplit => sp !== undefined))
    .chain((splits) => fc.shuffledSubarray(splits, { minLength: splits.length, maxLength: splits.length }));
};

/** A range (possibly empty, up to 6 per dimension) together with a legal split of it. */
export const rangeAndSplit = (options: RangeOptions = {}): fc.Arbitrary<[ZRange, DimSplit[]]> =>
  range({ maxExtent: 6, ...options }).chain((r) => fc.tuple(fc.constant(r), splitOf(r)));

/** The points of `r`, as an array. */
export function pointsOf(r: ZRange): ZPoint[] {
  return [...r.points()];
}

/** The smallest box containing every box in `boxes` (folded with `boundingUnion`), or undefined for none. */
export function boundingUnionOf(boxes: readonly ZRange[]): ZRange | undefined {
  return boxes.reduce<ZRange | undefined>(
    (acc, b) => (acc === undefined ? b : acc.boundingUnion(b)),
    undefined,
  );
}

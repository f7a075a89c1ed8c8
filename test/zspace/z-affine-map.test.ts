import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ZAffineMap, ZPoint, ZRange } from "../../src/zspace/index.js";
import {
  affineMapOf,
  boundingUnionOf,
  composableMaps,
  mapAndRange,
  permutationOf,
  pointOfRank,
  pointsOf,
  rangeOfRank,
  rank,
} from "./arbitraries.js";
import { expectIssues, expectTesseraError } from "./expect-error.js";

const MAX = Number.MAX_SAFE_INTEGER;
const r = (start: number[], end: number[]): ZRange => ZRange.fromBounds(start, end);

/** The box `[p, p + 1)` holding exactly one point. */
const unitBox = (p: ZPoint): ZRange => ZRange.fromStartShape(p, ZPoint.ones(p.rank));

describe("ZAffineMap construction", () => {
  it("follows the doc example: [[1, 0], [0, 2]]·(3, 4) + (0, -1) = (3, 7)", () => {
    const m = ZAffineMap.fromMatrix(
      [
        [1, 0],
        [0, 2],
      ],
      [0, -1],
    );
    expect(m.apply(ZPoint.of(3, 4)).coords).toEqual([3, 7]);
    expect(m.inRank).toBe(2);
    expect(m.outRank).toBe(2);
  });

  it("defaults the offset to zeros", () => {
    expect(ZAffineMap.fromMatrix([[1, 1]]).offset.coords).toEqual([0]);
  });

  it("accepts the offset as a ZPoint", () => {
    expect(ZAffineMap.fromMatrix([[1]], ZPoint.of(4)).apply(ZPoint.of(1)).coords).toEqual([5]);
  });

  it("a map with no rows needs inRank, and maps everything to the scalar point", () => {
    const m = ZAffineMap.fromMatrix([], [], 3);
    expect(m.inRank).toBe(3);
    expect(m.outRank).toBe(0);
    expect(m.apply(ZPoint.of(1, 2, 3)).rank).toBe(0);
    expectIssues(() => ZAffineMap.fromMatrix([]), [{ code: "missing_field", path: "/inRank" }]);
  });

  it("inRank 0 is a constant map", () => {
    const m = ZAffineMap.fromMatrix([[], []], [4, -2]);
    expect(m.inRank).toBe(0);
    expect(m.apply(ZPoint.of()).coords).toEqual([4, -2]);
    expect(m.equals(ZAffineMap.constant(ZPoint.of(4, -2), 0))).toBe(true);
  });

  it.each([
    ["a ragged matrix", () => ZAffineMap.fromMatrix([[1, 0], [1]]), "ragged_matrix", "/matrix/1"],
    [
      "rows that disagree with inRank",
      () => ZAffineMap.fromMatrix([[1, 0]], [0], 3),
      "ragged_matrix",
      "/matrix/0",
    ],
    ["an offset of the wrong length", () => ZAffineMap.fromMatrix([[1]], [0, 0]), "rank_mismatch", "/offset"],
    ["a fractional entry", () => ZAffineMap.fromMatrix([[1, 0.5]]), "not_integer", "/matrix/0/1"],
    ["an entry beyond 2^53", () => ZAffineMap.fromMatrix([[2 ** 53]]), "not_integer", "/matrix/0/0"],
    ["a fractional offset", () => ZAffineMap.fromMatrix([[1]], [0.5]), "not_integer", "/offset/0"],
    ["a negative inRank", () => ZAffineMap.fromMatrix([], [], -1), "not_integer", "/inRank"],
  ] as const)("rejects %s with %s at %s", (_, make, code, path) => {
    expectIssues(make, [{ code, path }]);
  });
});

describe("ZAffineMap named constructors and predicates", () => {
  it("identity(n) maps every point to itself", () => {
    fc.assert(
      fc.property(
        rank().chain((n) => pointOfRank(n)),
        (p) => {
          expect(ZAffineMap.identity(p.rank).apply(p).equals(p)).toBe(true);
        },
      ),
    );
  });

  it("permutation(perm) puts input perm[i] at output i", () => {
    expect(ZAffineMap.permutation([2, 0, 1]).apply(ZPoint.of(10, 20, 30)).coords).toEqual([30, 10, 20]);
  });

  it("projection(dims, inRank) selects input dimensions, repeats allowed", () => {
    const m = ZAffineMap.projection([2, 0, 2], 3);
    expect(m.apply(ZPoint.of(10, 20, 30)).coords).toEqual([30, 10, 30]);
    expect(m.outRank).toBe(3);
  });

  it("constant(value, inRank) ignores its input", () => {
    expect(ZAffineMap.constant(ZPoint.of(7), 2).apply(ZPoint.of(1, 2)).coords).toEqual([7]);
  });

  it.each([
    ["identity(3)", ZAffineMap.identity(3), true, true],
    ["identity(0)", ZAffineMap.identity(0), true, true],
    ["permutation([1, 0])", ZAffineMap.permutation([1, 0]), false, true],
    ["permutation([0, 1])", ZAffineMap.permutation([0, 1]), true, true],
    ["identity(2) translated", ZAffineMap.identity(2).translate(ZPoint.of(1, 0)), false, false],
    ["projection([0], 2) (drops a dimension)", ZAffineMap.projection([0], 2), false, false],
    ["projection([0, 0], 2) (repeats a dimension)", ZAffineMap.projection([0, 0], 2), false, false],
    ["a scaling [[2]]", ZAffineMap.fromMatrix([[2]]), false, false],
    ["a negation [[-1]]", ZAffineMap.fromMatrix([[-1]]), false, false],
    [
      "a shear [[1, 1], [0, 1]]",
      ZAffineMap.fromMatrix([
        [1, 1],
        [0, 1],
      ]),
      false,
      false,
    ],
    ["the zero map [[0]]", ZAffineMap.fromMatrix([[0]]), false, false],
  ])("%s: isIdentity %s, isPermutation %s", (_, m, identity, permutation) => {
    expect(m.isIdentity()).toBe(identity);
    expect(m.isPermutation()).toBe(permutation);
  });

  it("every permutation is a permutation, and only the sorted one is the identity", () => {
    fc.assert(
      fc.property(
        rank().chain((n) => permutationOf(n)),
        (perm) => {
          const m = ZAffineMap.permutation(perm);
          expect(m.isPermutation()).toBe(true);
          expect(m.isIdentity()).toBe(perm.every((p, i) => p === i));
        },
      ),
    );
  });

  it.each([[[0, 0]], [[1, 2]], [[-1, 0]], [[0.5, 1]]])("permutation(%j) throws not_a_permutation", (perm) => {
    const error = expectTesseraError(() => ZAffineMap.permutation(perm), "not_a_permutation");
    expect(error.context).toEqual({ found: perm });
  });

  it("projection selecting a dimension outside the input throws dimension_out_of_bounds", () => {
    const error = expectTesseraError(() => ZAffineMap.projection([0, 3], 3), "dimension_out_of_bounds");
    expect(error.context).toEqual({ output: 1, dim: 3, rank: 3 });
  });

  it("column(j) lists how each output moves per unit step of input j", () => {
    expect(
      ZAffineMap.fromMatrix([
        [1, 2],
        [3, 4],
      ]).column(1),
    ).toEqual([2, 4]);
  });

  it("toString names inputs x0..xn and prints coefficients and offsets", () => {
    expect(ZAffineMap.fromMatrix([[2], [-1]], [-1, 3]).toString()).toBe("x ↦ [2·x0 - 1, -x0 + 3]");
    expect(
      ZAffineMap.fromMatrix([
        [1, 1],
        [0, 0],
      ]).toString(),
    ).toBe("x ↦ [x0 + x1, 0]");
  });
});

describe("ZAffineMap apply", () => {
  it("a point of the wrong rank throws rank_mismatch", () => {
    const error = expectTesseraError(() => ZAffineMap.identity(2).apply(ZPoint.of(1)), "rank_mismatch");
    expect(error.context).toEqual({ op: "apply", expected: 2, found: 1 });
  });

  it("a result beyond the safe-integer range throws coordinate_overflow", () => {
    expectTesseraError(() => ZAffineMap.fromMatrix([[2]]).apply(ZPoint.of(MAX)), "coordinate_overflow");
    expectTesseraError(
      () => ZAffineMap.identity(1).translate(ZPoint.of(1)).apply(ZPoint.of(MAX)),
      "coordinate_overflow",
    );
  });

  it("an unsafe intermediate sum throws coordinate_overflow rather than rounding silently", () => {
    // (2^53 - 1) + 2 - (2^53 - 1) is 2, but the partial sum 2^53 + 1 is not representable.
    const m = ZAffineMap.fromMatrix([[1, 1, -1]]);
    expectTesseraError(() => m.apply(ZPoint.of(MAX, 2, MAX)), "coordinate_overflow");
  });

  it("is linear in its input around the offset: f(x + y) - f(y) = f(x) - f(0)", () => {
    fc.assert(
      fc.property(
        fc
          .tuple(rank(), rank())
          .chain(([i, o]) => fc.tuple(affineMapOf(i, o), pointOfRank(i), pointOfRank(i))),
        ([f, x, y]) => {
          const zero = ZPoint.zeros(f.inRank);
          expect(
            f
              .apply(x.add(y))
              .sub(f.apply(y))
              .equals(f.apply(x).sub(f.apply(zero))),
          ).toBe(true);
        },
      ),
    );
  });
});

describe("ZAffineMap applyRange", () => {
  it("is the bounding box of the images of every point (checked by enumeration)", () => {
    fc.assert(
      fc.property(mapAndRange({ minExtent: 1 }), ([f, a]) => {
        const box = boundingUnionOf(pointsOf(a).map((p) => unitBox(f.apply(p))))!;
        expect(f.applyRange(a).toJSON()).toEqual(box.toJSON());
      }),
    );
  });

  it("contains the image of every point of the range", () => {
    fc.assert(
      fc.property(mapAndRange(), ([f, a]) => {
        const image = f.applyRange(a);
        for (const p of a.points()) expect(image.contains(f.apply(p))).toBe(true);
      }),
    );
  });

  it("maps an empty range to the empty range at A·start + b", () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.integer({ min: 1, max: 4 }), rank())
          .chain(([i, o]) => fc.tuple(affineMapOf(i, o), rangeOfRank(i))),
        ([f, a]) => {
          const empty = ZRange.fromBounds(
            a.start,
            a.start.toArray().map((v, k) => (k === 0 ? v : a.end.at(k))),
          );
          const image = f.applyRange(empty);
          const origin = f.apply(a.start);
          expect(image.toJSON()).toEqual({ start: origin.toJSON(), end: origin.toJSON() });
        },
      ),
    );
  });

  it("with negative coefficients takes the low end from the high corner", () => {
    expect(
      ZAffineMap.fromMatrix([[-1]], [10])
        .applyRange(r([2], [5]))
        .toJSON(),
    ).toEqual(r([6], [9]).toJSON());
  });

  it("a range of the wrong rank throws rank_mismatch", () => {
    expectTesseraError(() => ZAffineMap.identity(2).applyRange(r([0], [1])), "rank_mismatch");
  });

  it("a range end beyond the safe-integer range throws coordinate_overflow", () => {
    expect(ZAffineMap.identity(1).applyRange(r([MAX - 1], [MAX])).end.coords).toEqual([MAX]);
    expectTesseraError(
      () => ZAffineMap.fromMatrix([[1]], [1]).applyRange(r([MAX - 1], [MAX])),
      "coordinate_overflow",
    );
    expectTesseraError(
      () => ZAffineMap.fromMatrix([[1, 1]]).applyRange(r([0, 0], [MAX, MAX])),
      "coordinate_overflow",
    );
  });
});

describe("ZAffineMap compose", () => {
  it("follows the doc example: with f(y) = 2y and g(x) = x + 1, (f ∘ g)(x) = 2x + 2", () => {
    const f = ZAffineMap.fromMatrix([[2]]);
    const g = ZAffineMap.fromMatrix([[1]], [1]);
    expect(f.compose(g).equals(ZAffineMap.fromMatrix([[2]], [2]))).toBe(true);
  });

  it("agrees with applying twice: (f ∘ g)(x) = f(g(x))", () => {
    fc.assert(
      fc.property(
        fc
          .tuple(rank(), rank(), rank())
          .chain(([a, b, c]) => fc.tuple(affineMapOf(b, c), affineMapOf(a, b), pointOfRank(a))),
        ([f, g, x]) => {
          expect(
            f
              .compose(g)
              .apply(x)
              .equals(f.apply(g.apply(x))),
          ).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is associative: (f ∘ g) ∘ h = f ∘ (g ∘ h)", () => {
    fc.assert(
      fc.property(composableMaps(), ([f, g, h, x]) => {
        const left = f.compose(g).compose(h);
        const right = f.compose(g.compose(h));
        expect(left.toJSON()).toEqual(right.toJSON());
        expect(left.apply(x).equals(f.apply(g.apply(h.apply(x))))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("has the identity as a neutral element on both sides", () => {
    fc.assert(
      fc.property(
        fc.tuple(rank(), rank()).chain(([i, o]) => affineMapOf(i, o)),
        (f) => {
          expect(f.compose(ZAffineMap.identity(f.inRank)).equals(f)).toBe(true);
          expect(ZAffineMap.identity(f.outRank).compose(f).equals(f)).toBe(true);
        },
      ),
    );
  });

  it("the image box of a composition lies inside the image of the inner image box", () => {
    // Bounding boxes are not exact under composition: f ∘ g can have a tighter box than f(box(g)).
    fc.assert(
      fc.property(
        composableMaps().chain(([f, g]) => fc.tuple(fc.constant(f), fc.constant(g), rangeOfRank(g.inRank))),
        ([f, g, a]) => {
          expect(f.applyRange(g.applyRange(a)).contains(f.compose(g).applyRange(a))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the image box of a composition with an inner permutation is exactly the image of the inner image box", () => {
    fc.assert(
      fc.property(
        rank()
          .chain((n) => fc.tuple(permutationOf(n), pointOfRank(n), rangeOfRank(n), rank()))
          .chain(([perm, delta, a, o]) =>
            fc.tuple(
              fc.constant(ZAffineMap.permutation(perm).translate(delta)),
              fc.constant(a),
              affineMapOf(perm.length, o),
            ),
          ),
        ([g, a, f]) => {
          expect(f.compose(g).applyRange(a).toJSON()).toEqual(f.applyRange(g.applyRange(a)).toJSON());
        },
      ),
    );
  });

  it("a shear followed by its inverse shows the inequality can be strict", () => {
    const g = ZAffineMap.fromMatrix([
      [1, 1],
      [0, 1],
    ]);
    const f = ZAffineMap.fromMatrix([
      [1, -1],
      [0, 1],
    ]);
    const a = r([0, 0], [2, 2]);
    expect(f.compose(g).isIdentity()).toBe(true);
    expect(f.compose(g).applyRange(a).toJSON()).toEqual(a.toJSON());
    expect(f.applyRange(g.applyRange(a)).toJSON()).toEqual(r([-1, 0], [3, 2]).toJSON());
  });

  it("maps of mismatched ranks throw rank_mismatch", () => {
    expectTesseraError(() => ZAffineMap.identity(2).compose(ZAffineMap.identity(3)), "rank_mismatch");
  });

  it("an overflowing composed entry throws coordinate_overflow", () => {
    const big = ZAffineMap.fromMatrix([[2 ** 30]]);
    expectTesseraError(() => big.compose(big), "coordinate_overflow");
  });
});

describe("ZAffineMap translate and equals", () => {
  it("translate shifts every output by delta", () => {
    const m = ZAffineMap.fromMatrix([[2]]).translate(ZPoint.of(-1));
    expect(m.apply(ZPoint.of(3)).coords).toEqual([5]);
  });

  it("equals compares ranks, matrix and offset", () => {
    expect(
      ZAffineMap.identity(2).equals(
        ZAffineMap.fromMatrix([
          [1, 0],
          [0, 1],
        ]),
      ),
    ).toBe(true);
    expect(ZAffineMap.identity(2).equals(ZAffineMap.permutation([1, 0]))).toBe(false);
    expect(ZAffineMap.constant(ZPoint.of(), 1).equals(ZAffineMap.constant(ZPoint.of(), 2))).toBe(false);
    expect(ZAffineMap.identity(1).equals(ZAffineMap.identity(1).translate(ZPoint.of(1)))).toBe(false);
  });
});

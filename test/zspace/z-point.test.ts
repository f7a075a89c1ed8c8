import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ZPoint } from "../../src/zspace/index.js";
import { point, pointOfRank, rank } from "./arbitraries.js";
import { expectTesseraError } from "./expect-error.js";

const MAX = Number.MAX_SAFE_INTEGER;

/** Two points of one common rank. */
const pointPair = () => rank().chain((n) => fc.tuple(pointOfRank(n), pointOfRank(n)));

describe("ZPoint construction", () => {
  it("of, from, zeros and ones build the expected coordinates", () => {
    expect(ZPoint.of(1, -2, 3).coords).toEqual([1, -2, 3]);
    expect(ZPoint.from([4, 5]).coords).toEqual([4, 5]);
    expect(ZPoint.zeros(3).coords).toEqual([0, 0, 0]);
    expect(ZPoint.ones(2).coords).toEqual([1, 1]);
  });

  it("rank 0 is allowed: the single point () of a scalar's index space", () => {
    const p = ZPoint.of();
    expect(p.rank).toBe(0);
    expect(p.toString()).toBe("()");
    expect(p.equals(ZPoint.zeros(0))).toBe(true);
    expect(p.product()).toBe(1);
    expect(p.sum()).toBe(0);
  });

  it("from copies its input, so later mutation of the array does not change the point", () => {
    const cs = [1, 2];
    const p = ZPoint.from(cs);
    cs[0] = 99;
    expect(p.coords).toEqual([1, 2]);
  });

  it("toArray returns a fresh copy", () => {
    const p = ZPoint.of(1, 2);
    const a = p.toArray();
    a[0] = 99;
    expect(p.coords).toEqual([1, 2]);
  });

  it.each([
    ["a fraction", 1.5],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["2^53 (beyond the safe range)", 2 ** 53],
    ["-2^53 (beyond the safe range)", -(2 ** 53)],
  ])("rejects %s as a coordinate with not_integer, naming the dimension", (_, bad) => {
    const error = expectTesseraError(() => ZPoint.of(0, bad), "not_integer");
    expect(error.context.dim).toBe(1);
  });

  it("accepts the extreme safe integers ±(2^53 - 1)", () => {
    expect(ZPoint.of(MAX, -MAX).coords).toEqual([MAX, -MAX]);
  });
});

describe("ZPoint access", () => {
  it("at(i) returns coordinate i", () => {
    expect(ZPoint.of(7, 8, 9).at(2)).toBe(9);
  });

  it.each([[-1], [3], [1.5]])("at(%s) on a rank-3 point throws dimension_out_of_bounds", (i) => {
    const error = expectTesseraError(() => ZPoint.of(7, 8, 9).at(i), "dimension_out_of_bounds");
    expect(error.context).toEqual({ dim: i, rank: 3 });
  });

  it("toString prints (1, 2, 3)", () => {
    expect(ZPoint.of(1, 2, 3).toString()).toBe("(1, 2, 3)");
  });
});

describe("ZPoint arithmetic", () => {
  it("add, sub, mul, min and max work elementwise", () => {
    const a = ZPoint.of(1, -2, 3);
    const b = ZPoint.of(4, 5, -6);
    expect(a.add(b).coords).toEqual([5, 3, -3]);
    expect(a.sub(b).coords).toEqual([-3, -7, 9]);
    expect(a.mul(b).coords).toEqual([4, -10, -18]);
    expect(a.min(b).coords).toEqual([1, -2, -6]);
    expect(a.max(b).coords).toEqual([4, 5, 3]);
  });

  it("scale multiplies every coordinate, neg negates without producing -0", () => {
    expect(ZPoint.of(1, -2).scale(3).coords).toEqual([3, -6]);
    const n = ZPoint.of(0, 2).neg();
    expect(Object.is(n.coords[0], 0)).toBe(true);
    expect(n.coords[1]).toBe(-2);
  });

  it("product is the element count of a shape; sum adds the coordinates", () => {
    expect(ZPoint.of(2, 3, 4).product()).toBe(24);
    expect(ZPoint.of(2, 0, 4).product()).toBe(0);
    expect(ZPoint.of(2, -3, 4).sum()).toBe(3);
  });

  it.each([
    ["add", (a: ZPoint, b: ZPoint) => a.add(b)],
    ["sub", (a: ZPoint, b: ZPoint) => a.sub(b)],
    ["min", (a: ZPoint, b: ZPoint) => a.min(b)],
    ["le", (a: ZPoint, b: ZPoint) => a.le(b)],
  ])("%s of points of different ranks throws rank_mismatch", (op, f) => {
    const error = expectTesseraError(() => f(ZPoint.of(1, 2), ZPoint.of(1, 2, 3)), "rank_mismatch");
    expect(error.context).toEqual({ op, expected: 2, found: 3 });
  });

  it.each([
    ["add past 2^53 - 1", () => ZPoint.of(MAX).add(ZPoint.of(1))],
    ["sub past -(2^53 - 1)", () => ZPoint.of(-MAX).sub(ZPoint.of(1))],
    ["mul past 2^53 - 1", () => ZPoint.of(2 ** 30).mul(ZPoint.of(2 ** 30))],
    ["scale past 2^53 - 1", () => ZPoint.of(MAX).scale(2)],
    ["product past 2^53 - 1", () => ZPoint.of(2 ** 30, 2 ** 30).product()],
    ["sum past 2^53 - 1", () => ZPoint.of(MAX, 1).sum()],
  ])("%s throws coordinate_overflow instead of losing precision", (_, f) => {
    expectTesseraError(f, "coordinate_overflow");
  });

  it("add is commutative and sub undoes it", () => {
    fc.assert(
      fc.property(pointPair(), ([a, b]) => {
        expect(a.add(b).equals(b.add(a))).toBe(true);
        expect(a.add(b).sub(b).equals(a)).toBe(true);
      }),
    );
  });

  it("neg is an involution and a + (-a) is the origin", () => {
    fc.assert(
      fc.property(point(), (a) => {
        expect(a.neg().neg().equals(a)).toBe(true);
        expect(a.add(a.neg()).equals(ZPoint.zeros(a.rank))).toBe(true);
      }),
    );
  });

  it("min is below and max above both operands", () => {
    fc.assert(
      fc.property(pointPair(), ([a, b]) => {
        expect(a.min(b).le(a) && a.min(b).le(b)).toBe(true);
        expect(a.max(b).ge(a) && a.max(b).ge(b)).toBe(true);
      }),
    );
  });
});

describe("ZPoint comparison", () => {
  it("equals is structural and distinguishes ranks", () => {
    expect(ZPoint.of(1, 2).equals(ZPoint.from([1, 2]))).toBe(true);
    expect(ZPoint.of(1, 2).equals(ZPoint.of(1, 3))).toBe(false);
    expect(ZPoint.of(1, 2).equals(ZPoint.of(1, 2, 0))).toBe(false);
  });

  it("le/lt/ge/gt are dominance orders: every coordinate must satisfy the relation", () => {
    const a = ZPoint.of(1, 2);
    expect(a.le(ZPoint.of(1, 3))).toBe(true);
    expect(a.lt(ZPoint.of(1, 3))).toBe(false);
    expect(a.lt(ZPoint.of(2, 3))).toBe(true);
    expect(ZPoint.of(2, 3).gt(a)).toBe(true);
    expect(ZPoint.of(0, 3).ge(a)).toBe(false);
    expect(ZPoint.of(0, 3).le(a)).toBe(false);
  });

  it("at rank 0, le and lt are vacuously true", () => {
    expect(ZPoint.of().le(ZPoint.of())).toBe(true);
    expect(ZPoint.of().lt(ZPoint.of())).toBe(true);
  });

  it("le is reflexive and antisymmetric", () => {
    fc.assert(
      fc.property(pointPair(), ([a, b]) => {
        expect(a.le(a)).toBe(true);
        if (a.le(b) && b.le(a)) expect(a.equals(b)).toBe(true);
      }),
    );
  });
});

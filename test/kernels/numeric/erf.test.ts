import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { erf } from "../../../src/kernels/numeric/erf.js";

// Tabulated values (Abramowitz & Stegun table 7.1, extended to 17 digits by mpmath).
const TABLE: readonly [number, number][] = [
  [0, 0],
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [2, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [3, 0.9999779095030014],
  [3.5, 0.9999992569016276],
  [4, 0.9999999845827421],
];

describe("erf", () => {
  it.each(TABLE)("erf(%d) matches the table to 1e-14", (x, v) => {
    expect(Math.abs(erf(x) - v)).toBeLessThan(1e-14);
  });

  it("is odd, bounded by 1 and saturates at ±1; NaN stays NaN", () => {
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), (x) => {
        expect(erf(-x) + erf(x)).toBe(0);
        expect(Math.abs(erf(x))).toBeLessThanOrEqual(1);
      }),
    );
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(erf(Number.NaN)).toBeNaN();
  });

  it("is continuous where the series hands over to the continued fraction", () => {
    expect(Math.abs(erf(3 - 1e-12) - erf(3))).toBeLessThan(1e-13);
  });
});

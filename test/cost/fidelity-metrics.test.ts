import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fidelitySummary, kendallTau, quantile, regret, relativeError } from "../../src/cost/index.js";

describe("quantile", () => {
  it("interpolates linearly between order statistics, whatever the input order", () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it("is NaN for no values and refuses a q outside [0, 1]", () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(() => quantile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("kendallTau", () => {
  it("counts concordant against discordant pairs", () => {
    expect(kendallTau([1, 2, 3], [1, 3, 2])).toBeCloseTo(1 / 3, 12);
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it("normalises ties out (tau-b)", () => {
    // Pairs: (1,2) tied in x; (1,3) and (2,3) concordant. tau-b = 2 / sqrt(2 · 3).
    expect(kendallTau([1, 1, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 12);
  });

  it("is NaN without two values or for a constant sequence, and refuses different lengths", () => {
    expect(kendallTau([1], [1])).toBeNaN();
    expect(kendallTau([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => kendallTau([1, 2], [1])).toThrow(RangeError);
  });

  it("is symmetric, 1 against itself and negated by reversing one order", () => {
    const distinct = fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 20 });
    fc.assert(
      fc.property(distinct, fc.array(fc.integer(), { minLength: 20, maxLength: 20 }), (xs, raw) => {
        const ys = raw.slice(0, xs.length);
        expect(kendallTau(xs, xs)).toBe(1);
        expect(
          kendallTau(
            xs,
            xs.map((x) => -x),
          ),
        ).toBe(-1);
        const t = kendallTau(xs, ys);
        if (!Number.isNaN(t)) {
          expect(kendallTau(ys, xs)).toBeCloseTo(t, 12);
          expect(
            kendallTau(
              xs,
              ys.map((y) => -y),
            ),
          ).toBeCloseTo(-t, 12);
        }
      }),
    );
  });
});

describe("regret", () => {
  it("is the measured time of the plan predicted fastest over the fastest measured", () => {
    const points = [
      { predicted: 1, measured: 13 },
      { predicted: 2, measured: 10 },
      { predicted: 3, measured: 20 },
    ];
    expect(regret(points)).toBeCloseTo(1.3, 12);
    expect(regret(points.slice(1))).toBe(1);
    expect(regret([])).toBeNaN();
  });

  it("is never below 1", () => {
    const point = fc.record({
      predicted: fc.double({ min: 1e-6, max: 1, noNaN: true }),
      measured: fc.double({ min: 1e-6, max: 1, noNaN: true }),
    });
    fc.assert(fc.property(fc.array(point, { minLength: 1 }), (ps) => regret(ps) >= 1));
  });
});

describe("fidelitySummary", () => {
  it("summarises relative errors, rank agreement and regret", () => {
    const points = [
      { predicted: 11, measured: 10 },
      { predicted: 18, measured: 20 },
      { predicted: 45, measured: 30 },
      { predicted: 40, measured: 40 },
    ];
    expect(points.map(relativeError)).toEqual([0.1, 0.1, 0.5, 0]);
    const s = fidelitySummary(points);
    expect(s.count).toBe(4);
    expect(s.medianError).toBeCloseTo(0.1, 12);
    expect(s.p90Error).toBeCloseTo(0.38, 12);
    expect(s.maxError).toBe(0.5);
    expect(s.kendallTau).toBeCloseTo(4 / 6, 12);
    expect(s.regret).toBe(1);
  });
});

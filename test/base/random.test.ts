import { describe, expect, it } from "vitest";
import { mulberry32, seededRng } from "../../src/base/random.js";

const draw = (seed: number, n = 8) => {
  const rng = seededRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe("seededRng", () => {
  it("is fixed by its seed", () => {
    expect(draw(42)).toEqual(draw(42));
  });

  it("keeps its recorded stream (a seed in a saved result replays it)", () => {
    expect(draw(42, 3)).toEqual([0.1778232182841748, 0.6313992536161095, 0.49404995795339346]);
  });

  it("gives different streams for different seeds, including seeds equal modulo 2^32", () => {
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(0)).not.toEqual(draw(2 ** 32));
    expect(draw(-1)).not.toEqual(draw(2 ** 32 - 1));
  });

  it("draws floats in [0, 1), integers in [lo, hi] and uniforms in [lo, hi)", () => {
    const rng = seededRng(7);
    for (let i = 0; i < 1000; i++) {
      const f = rng.next();
      expect(f >= 0 && f < 1).toBe(true);
      const k = rng.int(-3, 3);
      expect(Number.isInteger(k) && k >= -3 && k <= 3).toBe(true);
      const u = rng.uniform(-1, 1);
      expect(u >= -1 && u < 1).toBe(true);
    }
  });
});

describe("mulberry32", () => {
  it("is the bare stream of its 32-bit state, with no seed mixing", () => {
    const next = mulberry32(0);
    expect([next(), next(), next()]).toEqual([
      0.26642920868471265, 0.0003297457005828619, 0.2232720274478197,
    ]);
    const wrapped = mulberry32(2 ** 32);
    expect(wrapped()).toBe(0.26642920868471265);
  });
});

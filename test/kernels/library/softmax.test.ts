import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SOFTMAX_KERNEL } from "../../../src/kernels/library/softmax.js";
import {
  decode,
  expectValuesClose,
  f64,
  issuesOf,
  randomRegion,
  region,
  rng,
  run,
  signatureOf,
  values,
} from "./kernel-harness.js";

const t = (shape: number[], dtype: "float32" | "float64" | "int32" = "float64") => ({ shape, dtype });

describe("softmax", () => {
  it("normalizes the last dimension by default (hand-computed)", () => {
    // softmax([0, ln 3]) = [1/4, 3/4]; softmax([0, 0]) = [1/2, 1/2]
    const out = run(SOFTMAX_KERNEL, {}, { x: f64([2, 2], [0, Math.log(3), 0, 0]) });
    expectValuesClose(out.data, [0.25, 0.75, 0.5, 0.5], 1e-15);
  });

  it("normalizes along a chosen dimension", () => {
    const out = run(SOFTMAX_KERNEL, { dim: 0 }, { x: f64([2, 2], [0, 0, Math.log(3), 0]) });
    expectValuesClose(out.data, [0.25, 0.5, 0.75, 0.5], 1e-15);
  });

  it("is numerically stable for large inputs and exact for -Infinity", () => {
    expect(values(run(SOFTMAX_KERNEL, {}, { x: f64([2], [1000, 1000]) }))).toEqual([0.5, 0.5]);
    expect(
      values(
        run(SOFTMAX_KERNEL, {}, { x: f64([3], [Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY]) }),
      ),
    ).toEqual([0, 1, 0]);
  });

  it("keeps float32", () => {
    const out = run(SOFTMAX_KERNEL, {}, { x: region("float32", [2], [0, 0]) });
    expect(out.dtype).toBe("float32");
    expect(values(out)).toEqual([0.5, 0.5]);
  });

  it("has lines summing to 1 that equal exp(x) / Σ exp(x)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        fc.integer(),
        fc.integer({ min: -3, max: 2 }),
        (shape, seed, rawDim) => {
          const dim = ((rawDim % shape.length) + shape.length) % shape.length;
          const x = randomRegion("float64", shape, rng(seed));
          const out = run(SOFTMAX_KERNEL, { dim: rawDim % shape.length }, { x });
          const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, s) => p * s, 1));
          for (let base = 0; base < x.data.length; base++) {
            // Visit each line once, from its element with coordinate 0 along dim.
            if (Math.floor(base / strides[dim]!) % shape[dim]! !== 0) continue;
            const idx = Array.from({ length: shape[dim]! }, (_, j) => base + j * strides[dim]!);
            const total = idx.reduce((s, i) => s + Math.exp(x.data[i]!), 0);
            expect(Math.abs(idx.reduce((s, i) => s + out.data[i]!, 0) - 1)).toBeLessThan(1e-12);
            expectValuesClose(
              idx.map((i) => out.data[i]!),
              idx.map((i) => Math.exp(x.data[i]!) / total),
              1e-12,
            );
          }
        },
      ),
    );
  });

  describe("signature", () => {
    it("indexes the shape without dim and reads whole lines along it", () => {
      const sig = signatureOf(SOFTMAX_KERNEL, { x: t([4, 10, 6]) }, { dim: 1 });
      expect(sig.index.shape.toArray()).toEqual([4, 6]);
      expect(sig.indexNames).toEqual(["d0", "d2"]);
      for (const p of [sig.inputs.x!.projection, sig.outputs.out!.projection]) {
        expect(p.map.matrix).toEqual([
          [1, 0],
          [0, 0],
          [0, 1],
        ]);
        expect(p.shape.toArray()).toEqual([1, 10, 1]);
        expect(p.applyRange(sig.index).shape.toArray()).toEqual([4, 10, 6]);
      }
      expect(sig.reductions).toEqual([]);
    });
  });

  describe("params and issues", () => {
    it("defaults dim to -1", () => {
      expect(decode(SOFTMAX_KERNEL, undefined)).toEqual({ dim: -1 });
    });

    it("rejects a non-integer dim and unknown params", () => {
      expect(
        issuesOf(SOFTMAX_KERNEL, { x: t([2]) }, { dim: "last", axis: 0 }).map((i) => [i.path, i.summary]),
      ).toEqual([
        ["/op/params/axis", "softmax has no parameter `axis` (it takes dim)"],
        ["/op/params/dim", '`dim` must be an integer, found the string "last"'],
      ]);
    });

    it("rejects a dim out of range", () => {
      expect(issuesOf(SOFTMAX_KERNEL, { x: t([2, 3]) }, { dim: -3 })).toEqual([
        expect.objectContaining({
          code: "invalid_param",
          path: "/op/params/dim",
          summary: "`dim` = -3 is out of range for input x of rank 2 (expected -2..1)",
        }),
      ]);
    });

    it("rejects scalars and int32", () => {
      expect(issuesOf(SOFTMAX_KERNEL, { x: t([]) })).toEqual([
        expect.objectContaining({ code: "rank_mismatch", path: "/op/inputs/x" }),
      ]);
      expect(issuesOf(SOFTMAX_KERNEL, { x: t([2], "int32") })).toEqual([
        expect.objectContaining({
          code: "dtype_mismatch",
          summary: "input x has dtype int32 but softmax accepts only float32, float64",
        }),
      ]);
    });
  });
});

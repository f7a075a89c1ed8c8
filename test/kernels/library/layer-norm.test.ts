import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LAYER_NORM_KERNEL } from "../../../src/kernels/library/layer-norm.js";
import {
  decode,
  expectValuesClose,
  f64,
  issuesOf,
  randomRegion,
  rng,
  run,
  signatureOf,
} from "./kernel-harness.js";

const t = (shape: number[], dtype: "float32" | "float64" | "int32" = "float64") => ({ shape, dtype });

describe("layer_norm", () => {
  it("normalizes the last dimension (hand-computed)", () => {
    // [1, 2, 3, 4]: mean 2.5, biased variance 1.25.
    const s = Math.sqrt(1.25);
    const out = run(LAYER_NORM_KERNEL, { eps: 0 }, { x: f64([1, 4], [1, 2, 3, 4]) });
    expectValuesClose(out.data, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-15);
  });

  it("applies eps, weight and bias", () => {
    const s = Math.sqrt(1 + 0.5);
    const out = run(
      LAYER_NORM_KERNEL,
      { eps: 0.5 },
      { x: f64([2], [0, 2]), weight: f64([2], [2, 3]), bias: f64([2], [10, 20]) },
    );
    expectValuesClose(out.data, [10 - 2 / s, 20 + 3 / s], 1e-15);
  });

  it("normalizes several trailing dimensions together", () => {
    const out = run(LAYER_NORM_KERNEL, { normalizedDims: 2, eps: 0 }, { x: f64([2, 2], [1, 2, 3, 4]) });
    const s = Math.sqrt(1.25);
    expectValuesClose(out.data, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-15);
  });

  it("gives every normalized block mean ≈ 0 and variance ≈ 1", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        fc.integer(),
        (shape, seed) => {
          const k = 1 + (Math.abs(seed) % shape.length);
          const block = shape.slice(shape.length - k).reduce((p, s) => p * s, 1);
          if (block < 2) return;
          const out = run(
            LAYER_NORM_KERNEL,
            { normalizedDims: k, eps: 0 },
            { x: randomRegion("float64", shape, rng(seed)) },
          );
          for (let start = 0; start < out.data.length; start += block) {
            const ys = Array.from(out.data.subarray(start, start + block));
            const mean = ys.reduce((s, y) => s + y, 0) / block;
            const variance = ys.reduce((s, y) => s + (y - mean) ** 2, 0) / block;
            expect(Math.abs(mean)).toBeLessThan(1e-12);
            expect(Math.abs(variance - 1)).toBeLessThan(1e-9);
          }
        },
      ),
    );
  });

  describe("signature", () => {
    it("indexes the leading dimensions and reads whole trailing blocks", () => {
      const sig = signatureOf(LAYER_NORM_KERNEL, { x: t([4, 3, 16]), weight: t([16]), bias: t([16]) });
      expect(sig.index.shape.toArray()).toEqual([4, 3]);
      expect(sig.inputs.x!.projection.map.matrix).toEqual([
        [1, 0],
        [0, 1],
        [0, 0],
      ]);
      expect(sig.inputs.x!.projection.shape.toArray()).toEqual([1, 1, 16]);
      expect(sig.outputs.out!.projection.equals(sig.inputs.x!.projection)).toBe(true);
      expect(sig.inputs.weight!.projection.map.matrix).toEqual([[0, 0]]);
      expect(sig.inputs.weight!.projection.shape.toArray()).toEqual([16]);
      expect(sig.inputs.bias!.projection.applyRange(sig.index).shape.toArray()).toEqual([16]);
    });

    it("normalizing every dimension gives a rank-0 index space", () => {
      const sig = signatureOf(LAYER_NORM_KERNEL, { x: t([3, 4]) }, { normalizedDims: 2 });
      expect(sig.index.rank).toBe(0);
      expect(sig.inputs.x!.projection.applyRange(sig.index).shape.toArray()).toEqual([3, 4]);
    });
  });

  describe("params and issues", () => {
    it("defaults to one normalized dimension and eps 1e-5", () => {
      expect(decode(LAYER_NORM_KERNEL, {})).toEqual({ normalizedDims: 1, eps: 1e-5 });
    });

    it("rejects normalizedDims below 1 and a negative eps", () => {
      expect(
        issuesOf(LAYER_NORM_KERNEL, { x: t([2]) }, { normalizedDims: 0, eps: -1 }).map((i) => [
          i.path,
          i.summary,
        ]),
      ).toEqual([
        ["/op/params/normalizedDims", "`normalizedDims` must be an integer ≥ 1, found number 0"],
        ["/op/params/eps", "`eps` must be a finite number ≥ 0, found number -1"],
      ]);
    });

    it("rejects normalizedDims beyond the rank", () => {
      expect(issuesOf(LAYER_NORM_KERNEL, { x: t([2, 3]) }, { normalizedDims: 3 })).toEqual([
        expect.objectContaining({
          code: "invalid_param",
          path: "/op/params/normalizedDims",
          summary: "`normalizedDims` = 3 exceeds the rank 2 of input x (shape [2, 3])",
        }),
      ]);
    });

    it("names weight and bias dimensions that do not match the block", () => {
      expect(issuesOf(LAYER_NORM_KERNEL, { x: t([2, 3, 8]), weight: t([8]), bias: t([4]) })).toEqual([
        expect.objectContaining({
          code: "shape_mismatch",
          path: "/op/inputs/bias",
          summary: "input bias dimension 0 (normalized dim 0) must equal input x dimension 2 = 8, found 4",
        }),
      ]);
      expect(issuesOf(LAYER_NORM_KERNEL, { x: t([2, 3, 8]), weight: t([3, 8]) })).toEqual([
        expect.objectContaining({
          code: "rank_mismatch",
          path: "/op/inputs/weight",
          summary:
            "input weight must have rank 1 (it scales the normalized trailing block [8] of input x), found rank 2 with shape [3, 8]",
        }),
      ]);
    });

    it("accepts only float dtypes, all alike", () => {
      expect(issuesOf(LAYER_NORM_KERNEL, { x: t([2], "int32") }).map((i) => i.code)).toEqual([
        "dtype_mismatch",
      ]);
      expect(issuesOf(LAYER_NORM_KERNEL, { x: t([2]), weight: t([2], "float32") })).toEqual([
        expect.objectContaining({ code: "dtype_mismatch", path: "/op/inputs/weight" }),
      ]);
    });
  });
});

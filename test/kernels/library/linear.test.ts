import { describe, expect, it } from "vitest";
import { LINEAR_KERNEL } from "../../../src/kernels/library/linear.js";
import { ZRange } from "../../../src/zspace/z-range.js";
import { decode, f64, issuesOf, region, run, runSharded, signatureOf, values } from "./kernel-harness.js";

const t = (shape: number[], dtype: "float32" | "float64" | "int32" = "float64") => ({ shape, dtype });

describe("linear", () => {
  const x = f64([2, 3], [1, 2, 3, 4, 5, 6]);
  const w = f64([3, 2], [1, 0, 0, 1, 1, 1]);
  const b = f64([2], [10, 20]);

  it("computes x · w + b (hand-computed)", () => {
    // x·w = [[1+3, 2+3], [4+6, 5+6]] = [[4, 5], [10, 11]]
    expect(values(run(LINEAR_KERNEL, {}, { x, w, b }))).toEqual([14, 25, 20, 31]);
  });

  it("works without a bias and on a 1-D x", () => {
    expect(values(run(LINEAR_KERNEL, {}, { x, w }))).toEqual([4, 5, 10, 11]);
    const v = run(LINEAR_KERNEL, {}, { x: f64([3], [1, 2, 3]), w, b });
    expect(v.range.shape.toArray()).toEqual([2]);
    expect(values(v)).toEqual([14, 25]);
  });

  it("adds the bias once however the `in` dimension is sharded", () => {
    for (const cuts of [[1], [1, 2]]) {
      const { out, shards } = runSharded(LINEAR_KERNEL, {}, { x, w, b }, [{ dim: 2, cuts }]);
      expect(shards).toBe(cuts.length + 1);
      expect(values(out)).toEqual([14, 25, 20, 31]);
    }
  });

  it("adds the bias only in the shard whose `in` range starts at 0", () => {
    const sig = signatureOf(LINEAR_KERNEL, { x: t([2, 3]), w: t([3, 2]), b: t([2]) });
    const params = decode(LINEAR_KERNEL, {});
    const later = ZRange.fromBounds([0, 0, 1], [2, 2, 3]);
    const first = ZRange.fromBounds([0, 0, 0], [2, 2, 1]);
    // Together the two partials are x · w + b = [14, 25, 20, 31].
    expect(
      values(LINEAR_KERNEL.impl({ params, signature: sig, index: later, inputs: { x, w, b } }).out!),
    ).toEqual([3, 5, 6, 11]);
    expect(
      values(LINEAR_KERNEL.impl({ params, signature: sig, index: first, inputs: { x, w, b } }).out!),
    ).toEqual([11, 20, 14, 20]);
  });

  it("rounds float32 once after adding the bias", () => {
    const x32 = region("float32", [1, 1], [1]);
    const w32 = region("float32", [1, 1], [Math.fround(1 / 3)]);
    const b32 = region("float32", [1], [Math.fround(1e-8)]);
    const out = run(LINEAR_KERNEL, {}, { x: x32, w: w32, b: b32 });
    expect(out.data[0]).toBe(Math.fround(Math.fround(1 / 3) + Math.fround(1e-8)));
  });

  describe("signature", () => {
    it("indexes [batch, out, in] with in a sum reduction", () => {
      const sig = signatureOf(LINEAR_KERNEL, { x: t([4, 8]), w: t([8, 16]), b: t([16]) });
      expect(sig.indexNames).toEqual(["batch0", "out", "in"]);
      expect(sig.index.shape.toArray()).toEqual([4, 16, 8]);
      expect(sig.reductions).toEqual([{ dim: 2, monoid: "sum" }]);
      expect(sig.inputs.x!.projection.map.matrix).toEqual([
        [1, 0, 0],
        [0, 0, 1],
      ]);
      expect(sig.inputs.w!.projection.map.matrix).toEqual([
        [0, 0, 1],
        [0, 1, 0],
      ]);
      expect(sig.inputs.b!.projection.map.matrix).toEqual([[0, 1, 0]]);
      expect(sig.outputs.out!.shape).toEqual([4, 16]);
    });

    it("leaves b out of the signature when it is not given", () => {
      expect(Object.keys(signatureOf(LINEAR_KERNEL, { x: t([8]), w: t([8, 2]) }).inputs)).toEqual(["x", "w"]);
    });
  });

  describe("issues", () => {
    it("names w's in dimension against x's last dimension", () => {
      expect(issuesOf(LINEAR_KERNEL, { x: t([4, 64]), w: t([32, 16]) })).toEqual([
        expect.objectContaining({
          code: "shape_mismatch",
          path: "/op/inputs/w",
          summary: "input w dimension 0 (in) must equal input x dimension 1 = 64, found 32",
        }),
      ]);
    });

    it("names b's out dimension against w's", () => {
      expect(issuesOf(LINEAR_KERNEL, { x: t([4, 8]), w: t([8, 16]), b: t([8]) })[0]?.summary).toBe(
        "input b dimension 0 (out) must equal input w dimension 1 = 16, found 8",
      );
      expect(issuesOf(LINEAR_KERNEL, { x: t([4, 8]), w: t([8, 16]), b: t([1, 16]) })[0]).toMatchObject({
        code: "rank_mismatch",
        path: "/op/inputs/b",
      });
    });

    it("requires a 2-D w and a non-scalar x", () => {
      expect(issuesOf(LINEAR_KERNEL, { x: t([]), w: t([8]) }).map((i) => [i.code, i.path])).toEqual([
        ["rank_mismatch", "/op/inputs/x"],
        ["rank_mismatch", "/op/inputs/w"],
      ]);
    });

    it("accepts only float dtypes, all alike", () => {
      expect(
        issuesOf(LINEAR_KERNEL, { x: t([2], "int32"), w: t([2, 2], "int32") }).map((i) => i.summary),
      ).toEqual([
        "input x has dtype int32 but linear accepts only float32, float64",
        "input w has dtype int32 but linear accepts only float32, float64",
      ]);
      expect(issuesOf(LINEAR_KERNEL, { x: t([2]), w: t([2, 2]), b: t([2], "float32") })[0]).toMatchObject({
        code: "dtype_mismatch",
        path: "/op/inputs/b",
      });
    });
  });
});

import { describe, expect, it } from "vitest";
import { MAX_KERNEL, MEAN_KERNEL, MIN_KERNEL, SUM_KERNEL } from "../../../src/kernels/library/reduce.js";
import { decode, f64, issuesOf, region, run, signatureOf, values } from "./kernel-harness.js";

const t = (shape: number[], dtype: "float32" | "float64" | "int32" = "float64") => ({ shape, dtype });

describe("reductions", () => {
  // [[1, 5, 3], [4, 2, 6]]
  const x = f64([2, 3], [1, 5, 3, 4, 2, 6]);

  it.each([
    { kernel: SUM_KERNEL, dims: [1], expected: [9, 12] },
    { kernel: SUM_KERNEL, dims: [0], expected: [5, 7, 9] },
    { kernel: MAX_KERNEL, dims: [-1], expected: [5, 6] },
    { kernel: MIN_KERNEL, dims: [0], expected: [1, 2, 3] },
    { kernel: MEAN_KERNEL, dims: [1], expected: [3, 4] },
    { kernel: MEAN_KERNEL, dims: [0, 1], expected: [3.5] },
  ])("$kernel.id over $dims", ({ kernel, dims, expected }) => {
    expect(values(run(kernel, { dims }, { x }))).toEqual(expected);
  });

  it("reduces every dimension when dims is absent, to a scalar", () => {
    const out = run(SUM_KERNEL, {}, { x });
    expect(out.range.rank).toBe(0);
    expect(values(out)).toEqual([21]);
    expect(values(run(MAX_KERNEL, undefined, { x }))).toEqual([6]);
  });

  it("keeps reduced dimensions as size 1 with keepdims", () => {
    const out = run(SUM_KERNEL, { dims: [1], keepdims: true }, { x });
    expect(out.range.shape.toArray()).toEqual([2, 1]);
    expect(values(out)).toEqual([9, 12]);
  });

  it("with no dims, copies x", () => {
    expect(values(run(SUM_KERNEL, { dims: [] }, { x }))).toEqual(values(x));
  });

  it("sums int32 with wrap-around and keeps the dtype", () => {
    const out = run(SUM_KERNEL, {}, { x: region("int32", [2], [2 ** 31 - 1, 2]) });
    expect(out.dtype).toBe("int32");
    expect(values(out)).toEqual([-(2 ** 31) + 1]);
  });

  it("sums an empty dimension to zeros", () => {
    const out = run(SUM_KERNEL, { dims: [1] }, { x: f64([2, 0], []) });
    expect(values(out)).toEqual([0, 0]);
  });

  it("propagates NaN through max", () => {
    expect(values(run(MAX_KERNEL, {}, { x: f64([3], [1, Number.NaN, 2]) }))).toEqual([Number.NaN]);
  });

  describe("signature", () => {
    it("indexes x's shape, reduces the chosen dims and drops them from the output", () => {
      const sig = signatureOf(SUM_KERNEL, { x: t([4, 6, 5]) }, { dims: [2, 0] });
      expect(sig.index.shape.toArray()).toEqual([4, 6, 5]);
      expect(sig.reductions).toEqual([
        { dim: 0, monoid: "sum" },
        { dim: 2, monoid: "sum" },
      ]);
      expect(sig.inputs.x!.projection.map.isIdentity()).toBe(true);
      expect(sig.outputs.out!.projection.map.matrix).toEqual([[0, 1, 0]]);
      expect(sig.outputs.out!.shape).toEqual([6]);
    });

    it("pins kept dimensions to 0 with a zero row", () => {
      const sig = signatureOf(MAX_KERNEL, { x: t([4, 6]) }, { dims: [0], keepdims: true });
      expect(sig.outputs.out!.projection.map.matrix).toEqual([
        [0, 0],
        [0, 1],
      ]);
      expect(sig.outputs.out!.shape).toEqual([1, 6]);
      expect(sig.reductions).toEqual([{ dim: 0, monoid: "max" }]);
    });

    it("folds mean's partials with sum", () => {
      expect(signatureOf(MEAN_KERNEL, { x: t([4]) }).reductions).toEqual([{ dim: 0, monoid: "sum" }]);
    });
  });

  describe("params", () => {
    it("defaults keepdims to false and leaves dims absent", () => {
      expect(decode(SUM_KERNEL, {})).toEqual({ keepdims: false });
      expect(decode(SUM_KERNEL, { dims: [0, -1], keepdims: true })).toEqual({
        dims: [0, -1],
        keepdims: true,
      });
    });

    it("records malformed params with their paths", () => {
      expect(
        issuesOf(SUM_KERNEL, { x: t([2]) }, { dims: [0, 1.5], keepdims: "yes" }).map((i) => [
          i.path,
          i.summary,
        ]),
      ).toEqual([
        ["/op/params/keepdims", '`keepdims` must be true or false, found the string "yes"'],
        ["/op/params/dims/1", "`dims[1]` must be an integer, found number 1.5"],
      ]);
      expect(issuesOf(SUM_KERNEL, { x: t([2]) }, { dims: 0 })[0]?.summary).toBe(
        "`dims` must be an array of integers, found number 0",
      );
    });
  });

  describe("issues", () => {
    it("rejects a dim out of range for the rank", () => {
      expect(issuesOf(SUM_KERNEL, { x: t([2, 3]) }, { dims: [2] })).toEqual([
        expect.objectContaining({
          code: "invalid_param",
          path: "/op/params/dims/0",
          summary: "`dims[0]` = 2 is out of range for input x of rank 2 (expected -2..1)",
        }),
      ]);
    });

    it("rejects any dim of a scalar", () => {
      expect(issuesOf(SUM_KERNEL, { x: t([]) }, { dims: [0] })[0]?.summary).toBe(
        "`dims[0]` = 0 is out of range for input x of rank 0 (none: it is a scalar)",
      );
    });

    it("rejects a dimension named twice", () => {
      expect(issuesOf(SUM_KERNEL, { x: t([2, 3]) }, { dims: [1, -1] })).toEqual([
        expect.objectContaining({
          code: "invalid_param",
          path: "/op/params/dims/1",
          summary: "`dims[1]` = -1 names dimension 1 of input x again (already named by `dims[0]`)",
        }),
      ]);
    });

    it("rejects max, min and mean over an empty dimension", () => {
      for (const kernel of [MAX_KERNEL, MIN_KERNEL, MEAN_KERNEL]) {
        expect(issuesOf(kernel, { x: t([2, 0]) }, { dims: [1] })).toEqual([
          expect.objectContaining({
            code: "shape_mismatch",
            path: "/op/inputs/x",
            summary: `cannot take ${kernel.id} over input x dimension 1, which has size 0 (the result of an empty ${kernel.id} is undefined)`,
          }),
        ]);
      }
    });

    it("accepts int32 for sum, max and min but not for mean", () => {
      expect(issuesOf(MIN_KERNEL, { x: t([2], "int32") })).toEqual([]);
      expect(issuesOf(MEAN_KERNEL, { x: t([2], "int32") })).toEqual([
        expect.objectContaining({
          code: "dtype_mismatch",
          summary: "input x has dtype int32 but mean accepts only float32, float64",
        }),
      ]);
    });
  });
});

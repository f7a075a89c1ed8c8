import { describe, expect, it } from "vitest";
import {
  BROADCAST_TO_KERNEL,
  COPY_KERNEL,
  SLICE_KERNEL,
  TRANSPOSE_KERNEL,
} from "../../../src/kernels/library/layout.js";
import { decode, f64, issuesOf, region, run, signatureOf, values } from "./kernel-harness.js";

const t = (shape: number[], dtype: "float32" | "float64" | "int32" = "float64") => ({ shape, dtype });
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("transpose", () => {
  it("reverses the dimensions by default (a matrix transpose)", () => {
    const out = run(TRANSPOSE_KERNEL, {}, { x: f64([2, 3], [1, 2, 3, 4, 5, 6]) });
    expect(out.range.shape.toArray()).toEqual([3, 2]);
    expect(values(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("permutes by perm: out dimension i is x dimension perm[i]", () => {
    const x = f64([2, 3, 4], iota(24));
    const out = run(TRANSPOSE_KERNEL, { perm: [2, 0, 1] }, { x });
    expect(out.range.shape.toArray()).toEqual([4, 2, 3]);
    // out[k, i, j] = x[i, j, k] = 12i + 4j + k
    const want: number[] = [];
    for (let k = 0; k < 4; k++)
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(12 * i + 4 * j + k);
    expect(values(out)).toEqual(want);
    expect(values(run(TRANSPOSE_KERNEL, { perm: [-1, 0, 1] }, { x }))).toEqual(want);
  });

  it("keeps int32 and scalars", () => {
    const out = run(TRANSPOSE_KERNEL, {}, { x: region("int32", [], [7]) });
    expect(out.dtype).toBe("int32");
    expect(values(out)).toEqual([7]);
  });

  it("reads x through the inverse permutation", () => {
    const sig = signatureOf(TRANSPOSE_KERNEL, { x: t([2, 3, 4]) }, { perm: [2, 0, 1] });
    expect(sig.index.shape.toArray()).toEqual([4, 2, 3]);
    expect(sig.inputs.x!.projection.map.matrix).toEqual([
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(sig.inputs.x!.projection.map.isPermutation()).toBe(true);
  });

  it("rejects a perm of the wrong length or with repeats", () => {
    expect(issuesOf(TRANSPOSE_KERNEL, { x: t([2, 3]) }, { perm: [0] })).toEqual([
      expect.objectContaining({
        code: "rank_mismatch",
        path: "/op/params/perm",
        summary: "`perm` has 1 entries but input x has rank 2",
      }),
    ]);
    expect(issuesOf(TRANSPOSE_KERNEL, { x: t([2, 3]) }, { perm: [1, -1] })).toEqual([
      expect.objectContaining({
        code: "invalid_param",
        path: "/op/params/perm/1",
        summary: "`perm` = [1, -1] is not a permutation of 0..1: dimension 1 appears again at `perm[1]`",
      }),
    ]);
    expect(issuesOf(TRANSPOSE_KERNEL, { x: t([2, 3]) }, { perm: [0, 2] })[0]).toMatchObject({
      code: "invalid_param",
      path: "/op/params/perm/1",
    });
  });
});

describe("slice", () => {
  const x = f64([10], iota(10));

  it("takes start:end:step like numpy", () => {
    expect(values(run(SLICE_KERNEL, { start: [1], end: [8], step: [3] }, { x }))).toEqual([1, 4, 7]);
    expect(values(run(SLICE_KERNEL, { start: [-3], end: [100] }, { x }))).toEqual([7, 8, 9]);
    expect(values(run(SLICE_KERNEL, { start: [5], end: [2] }, { x }))).toEqual([]);
  });

  it("slices several dimensions at once", () => {
    const m = f64([3, 4], iota(12));
    const out = run(SLICE_KERNEL, { start: [1, 0], end: [3, 4], step: [1, 2] }, { x: m });
    expect(out.range.shape.toArray()).toEqual([2, 2]);
    expect(values(out)).toEqual([4, 6, 8, 10]);
  });

  it("reads x at start + step·i", () => {
    const sig = signatureOf(SLICE_KERNEL, { x: t([10, 6]) }, { start: [1, -2], end: [8, 6], step: [3, 1] });
    expect(sig.index.shape.toArray()).toEqual([3, 2]);
    expect(sig.inputs.x!.projection.map.matrix).toEqual([
      [3, 0],
      [0, 1],
    ]);
    expect(sig.inputs.x!.projection.map.offset.toArray()).toEqual([1, 4]);
    expect(sig.inputs.x!.projection.applyRange(sig.index).toString()).toBe("[1:8, 4:6)");
  });

  it("defaults step to ones", () => {
    expect(decode(SLICE_KERNEL, { start: [0, 1], end: [2, 3] })).toEqual({
      start: [0, 1],
      end: [2, 3],
      step: [1, 1],
    });
  });

  it("rejects missing bounds, non-positive steps and mismatched lengths", () => {
    expect(
      issuesOf(SLICE_KERNEL, { x: t([4]) }, { end: [2], step: [0] }).map((i) => [i.path, i.summary]),
    ).toEqual([
      ["/op/params/start", "missing required parameter `start` (an array of integers)"],
      ["/op/params/step/0", "`step[0]` must be an integer ≥ 1, found number 0"],
      ["/op/params/end", "`end` has 1 entries but `start` has 0"],
      ["/op/params/step", "`step` has 1 entries but `start` has 0"],
    ]);
    expect(issuesOf(SLICE_KERNEL, { x: t([4, 4]) }, { start: [0], end: [2] })).toEqual([
      expect.objectContaining({
        code: "rank_mismatch",
        path: "/op/params/start",
        summary: "`start` has 1 entries but input x has rank 2",
      }),
      expect.objectContaining({ code: "rank_mismatch", path: "/op/params/end" }),
      expect.objectContaining({ code: "rank_mismatch", path: "/op/params/step" }),
    ]);
  });
});

describe("broadcast_to", () => {
  it("repeats x along new and size-1 dimensions", () => {
    const out = run(BROADCAST_TO_KERNEL, { shape: [2, 3, 2] }, { x: f64([3, 1], [1, 2, 3]) });
    expect(values(out)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
  });

  it("reads x with zero rows where it is stretched", () => {
    const sig = signatureOf(BROADCAST_TO_KERNEL, { x: t([3, 1]) }, { shape: [2, 3, 4] });
    expect(sig.index.shape.toArray()).toEqual([2, 3, 4]);
    expect(sig.inputs.x!.projection.map.matrix).toEqual([
      [0, 1, 0],
      [0, 0, 0],
    ]);
  });

  it("names the dimension that cannot broadcast", () => {
    expect(
      issuesOf(BROADCAST_TO_KERNEL, { x: t([3, 2]) }, { shape: [2, 4, 5] }).map((i) => i.summary),
    ).toEqual([
      "input x dimension 0 (size 3) cannot broadcast to dimension 1 (size 4) of the target shape [2, 4, 5]: sizes must be equal or x's 1",
      "input x dimension 1 (size 2) cannot broadcast to dimension 2 (size 5) of the target shape [2, 4, 5]: sizes must be equal or x's 1",
    ]);
    expect(issuesOf(BROADCAST_TO_KERNEL, { x: t([3, 2]) }, { shape: [2] })).toEqual([
      expect.objectContaining({ code: "rank_mismatch", path: "/op/inputs/x" }),
    ]);
    expect(issuesOf(BROADCAST_TO_KERNEL, { x: t([3]) }, { shape: [-1] })).toEqual([
      expect.objectContaining({ code: "invalid_param", path: "/op/params/shape/0" }),
    ]);
  });
});

describe("copy", () => {
  it("copies x element for element, in its dtype", () => {
    const x = region("int32", [2, 2], [1, -2, 3, -4]);
    const out = run(COPY_KERNEL, {}, { x });
    expect(out.dtype).toBe("int32");
    expect(values(out)).toEqual([1, -2, 3, -4]);
    expect(signatureOf(COPY_KERNEL, { x: t([2, 2]) }).inputs.x!.projection.map.isIdentity()).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { PAD_KERNEL } from "../../../src/kernels/library/pad.js";
import { f64, issuesOf, run, values } from "./kernel-harness.js";

const t = (shape: number[]) => ({ shape, dtype: "float64" as const });

describe("pad", () => {
  it("adds zeros before and after x along each dimension", () => {
    const out = run(PAD_KERNEL, { before: [1, 0], after: [0, 2] }, { x: f64([1, 2], [5, 6]) });
    expect(out.range.shape.toArray()).toEqual([2, 4]);
    expect(values(out)).toEqual([0, 0, 0, 0, 5, 6, 0, 0]);
  });

  it("names every per-dimension param whose length is not x's rank (rank_mismatch)", () => {
    expect(issuesOf(PAD_KERNEL, { x: t([2, 2]) }, { before: [1], after: [0] })).toEqual([
      expect.objectContaining({
        code: "rank_mismatch",
        path: "/op/params/before",
        summary: "`before` has 1 entries but input x has rank 2",
      }),
      expect.objectContaining({
        code: "rank_mismatch",
        path: "/op/params/after",
        summary: "`after` has 1 entries but input x has rank 2",
      }),
    ]);
  });
});

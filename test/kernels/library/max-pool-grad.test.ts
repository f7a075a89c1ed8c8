/** max_pool2d_grad: each window's cotangent to its maximum, the first tap on a tie, padding never, and its errors. */
import { describe, expect, it } from "vitest";
import { MAX_POOL2D_GRAD_KERNEL } from "../../../src/kernels/library/max-pool-grad.js";
import { f64, issuesOf, run, values } from "./kernel-harness.js";

describe("max_pool2d_grad", () => {
  it("routes each window's cotangent to the position of its maximum", () => {
    // 2×2 windows at stride 2 over a 4×4 input; maxima at (1,1), (0,3), (3,0), (2,2).
    const x = f64([1, 1, 4, 4], [0, 1, 2, 9, 3, 8, 4, 5, 6, 7, 9, 0, 9, 1, 2, 3]);
    const dy = f64([1, 1, 2, 2], [10, 20, 30, 40]);
    const dx = run(MAX_POOL2D_GRAD_KERNEL, { kernel: 2, stride: 2 }, { x, dy });
    expect(values(dx)).toEqual([0, 0, 0, 20, 0, 10, 0, 0, 0, 0, 40, 0, 30, 0, 0, 0]);
  });

  it("gives a tie to the first tap in row-major window order, and sums overlapping windows", () => {
    // Every value equal: each 2×2 window at stride 1 hands its whole cotangent to its top-left tap.
    const x = f64([1, 1, 3, 3], Array(9).fill(1));
    const dy = f64([1, 1, 2, 2], [1, 2, 3, 4]);
    const dx = run(MAX_POOL2D_GRAD_KERNEL, { kernel: 2 }, { x, dy });
    expect(values(dx)).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
    // A 3×3 max at the centre wins all four overlapping windows.
    const peak = f64([1, 1, 3, 3], [0, 0, 0, 0, 5, 0, 0, 0, 0]);
    expect(values(run(MAX_POOL2D_GRAD_KERNEL, { kernel: 2 }, { x: peak, dy }))).toEqual([
      0, 0, 0, 0, 10, 0, 0, 0, 0,
    ]);
  });

  it("never routes a cotangent into the padding, even when every value is negative", () => {
    const x = f64([1, 1, 2, 2], [-4, -3, -2, -1]);
    const dy = f64([1, 1, 2, 2], [1, 1, 1, 1]);
    // 3×3 windows, padding 1, stride 1: every window holds all of x; -1 wins each.
    const dx = run(MAX_POOL2D_GRAD_KERNEL, { kernel: 3, padding: 1 }, { x, dy });
    expect(values(dx)).toEqual([0, 0, 0, 4]);
  });

  it("reports a cotangent whose shape is not the forward output's, and needs `kernel`", () => {
    const x = { shape: [1, 2, 4, 4], dtype: "float32" as const };
    const issues = issuesOf(
      MAX_POOL2D_GRAD_KERNEL,
      { x, dy: { shape: [1, 2, 3, 3], dtype: "float32" } },
      {
        kernel: 2,
        stride: 2,
      },
    );
    expect(issues.map((i) => [i.code, i.path])).toEqual([["shape_mismatch", "/op/inputs/dy"]]);
    expect(issues[0]!.context).toMatchObject({ expected: [1, 2, 2, 2], found: [1, 2, 3, 3] });
    expect(
      issuesOf(MAX_POOL2D_GRAD_KERNEL, { x, dy: { shape: [1, 2, 2, 2], dtype: "float32" } }, {}).map(
        (i) => i.code,
      ),
    ).toEqual(["invalid_param"]);
    expect(
      issuesOf(MAX_POOL2D_GRAD_KERNEL, { x: { shape: [4, 4], dtype: "float32" }, dy: x }, { kernel: 2 }).map(
        (i) => i.code,
      ),
    ).toEqual(["rank_mismatch"]);
  });
});

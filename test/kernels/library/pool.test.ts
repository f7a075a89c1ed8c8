/** max_pool2d: windows, stride, padding that never wins, NaN that always wins, and its errors. */
import { describe, expect, it } from "vitest";
import { IssueCollector } from "../../../src/base/issue.js";
import { MAX_POOL2D_KERNEL } from "../../../src/kernels/library/pool.js";
import { runKernel } from "../declaration/run-kernel.js";

const x4 = {
  shape: [1, 1, 4, 4],
  dtype: "float64" as const,
  data: Float64Array.from({ length: 16 }, (_, i) => i - 8),
};

describe("max_pool2d", () => {
  it("takes the maximum of each 2×2 window at stride 2", () => {
    const out = runKernel(MAX_POOL2D_KERNEL, { x: x4 }, { kernel: 2, stride: 2 }).out!;
    expect(out.range.shape.toArray()).toEqual([1, 1, 2, 2]);
    expect(Array.from(out.data)).toEqual([-3, -1, 5, 7]);
  });

  it("pads with positions that never win, even over negative values", () => {
    const out = runKernel(MAX_POOL2D_KERNEL, { x: x4 }, { kernel: 3, stride: 2, padding: 1 }).out!;
    expect(out.range.shape.toArray()).toEqual([1, 1, 2, 2]);
    expect(Array.from(out.data)).toEqual([-3, -1, 5, 7]);
  });

  it("lets NaN win, as numpy's max does", () => {
    const data = Float64Array.from(x4.data);
    data[5] = Number.NaN;
    const out = runKernel(MAX_POOL2D_KERNEL, { x: { ...x4, data } }, { kernel: 2, stride: 2 }).out!;
    expect(out.data[0]).toBeNaN();
    expect(out.data[1]).toBe(-1);
  });

  it("needs `kernel`, NCHW input, and a window that fits the padded input", () => {
    const decode = (raw: unknown) => {
      const issues = new IssueCollector();
      MAX_POOL2D_KERNEL.decodeParams(raw, issues, "/params");
      return issues.issues.map((i) => i.code);
    };
    expect(decode({})).toEqual(["invalid_param"]);
    expect(decode({ kernel: 0 })).toEqual(["invalid_param"]);
    const signature = (shape: number[], kernel: [number, number]) => {
      const issues = new IssueCollector();
      const params = { kernel, stride: [1, 1] as const, padding: [0, 0] as const, dilation: [1, 1] as const };
      MAX_POOL2D_KERNEL.signature({ x: { shape, dtype: "float32" } }, params, issues, "");
      return issues.issues.map((i) => i.code);
    };
    expect(signature([4, 4], [2, 2])).toEqual(["rank_mismatch"]);
    expect(signature([1, 1, 2, 2], [3, 3])).toEqual(["shape_mismatch", "shape_mismatch"]);
    expect(signature([1, 1, 4, 4], [3, 3])).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { IssueCollector } from "../../../src/base/issue.js";
import type { TensorType } from "../../../src/kernels/index.js";
import { floatInputPair } from "../../../src/kernels/library/operands.js";

const X = { name: "x", rank: 4, why: "NCHW input" };
const W = { name: "w", rank: 4, why: "filters" };
const t = (shape: number[], dtype: TensorType["dtype"] = "float32"): TensorType => ({ shape, dtype });

/** The pair found and the (code, path) of every issue recorded, in order. */
function check(inputs: Record<string, TensorType>) {
  const issues = new IssueCollector();
  const pair = floatInputPair(inputs, X, W, "conv2d", issues, "/operations/0");
  return { pair, issues: issues.issues.map((i) => [i.code, i.path]) };
}

describe("floatInputPair: the two float inputs of a convolution-like signature", () => {
  it("gives both types and their dtype when both are given at their ranks", () => {
    const { pair, issues } = check({ x: t([1, 2, 5, 5]), w: t([3, 2, 3, 3]) });
    expect(issues).toEqual([]);
    expect(pair?.a.shape).toEqual([1, 2, 5, 5]);
    expect(pair?.b.shape).toEqual([3, 2, 3, 3]);
    expect(pair?.dtype).toBe("float32");
  });

  it("records both missing inputs", () => {
    expect(check({})).toEqual({
      pair: undefined,
      issues: [
        ["missing_operand", "/operations/0/inputs/x"],
        ["missing_operand", "/operations/0/inputs/w"],
      ],
    });
  });

  it("records a wrong rank of each input, not only the first", () => {
    expect(check({ x: t([2, 5, 5]), w: t([3, 3]) })).toEqual({
      pair: undefined,
      issues: [
        ["rank_mismatch", "/operations/0/inputs/x"],
        ["rank_mismatch", "/operations/0/inputs/w"],
      ],
    });
  });

  it("keeps the pair with no dtype after a dtype issue, so that shapes can still be checked", () => {
    const { pair, issues } = check({ x: t([1, 2, 5, 5], "int32"), w: t([3, 2, 3, 3], "float64") });
    expect(pair?.dtype).toBeUndefined();
    expect(pair?.a.shape).toEqual([1, 2, 5, 5]);
    expect(issues).toEqual([
      ["dtype_mismatch", "/operations/0/inputs/x"],
      ["dtype_mismatch", "/operations/0/inputs/w"],
    ]);
  });
});

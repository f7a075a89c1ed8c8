// Deeply nested expressions are a typed error, never a stack overflow.
import { describe, expect, it } from "vitest";
import { checkKernelDeclaration } from "../../src/kernels/declaration/compile.js";
import { MAX_EXPR_DEPTH, parseIntExpr, parseScalar } from "../../src/kernels/expr/parser.js";
import { thrownCode } from "../support/thrown.js";

describe("expression depth limits", () => {
  it.each([
    ["5000 nested parentheses", `${"(".repeat(5000)}1${")".repeat(5000)}`],
    ["5000 unary minus signs", `${"-".repeat(5000)}1`],
    ["a chain of 5000 terms", Array.from({ length: 5000 }, () => "1").join(" + ")],
  ])("%s: nesting_too_deep from both parsers", (_what, source) => {
    expect(thrownCode(() => parseIntExpr(source))).toBe("nesting_too_deep");
    expect(thrownCode(() => parseScalar(source))).toBe("nesting_too_deep");
  });

  it("expressions up to the limit parse", () => {
    const depth = MAX_EXPR_DEPTH - 2;
    expect(thrownCode(() => parseIntExpr(`${"(".repeat(depth)}1${")".repeat(depth)}`))).toBe("none");
    expect(thrownCode(() => parseScalar(Array.from({ length: 100 }, () => "x").join(" * ")))).toBe("none");
  });

  it("a kernel declaration with a 5000-deep compute body is one nesting_too_deep issue at /compute", () => {
    const { issues } = checkKernelDeclaration({
      version: 1,
      kernel: "deep",
      summary: "too deep",
      inputs: [{ name: "x", shape: "[$n]", dtype: "float32" }],
      outputs: [{ name: "y", shape: "[$n]", dtype: "float32" }],
      index: "[i:$n]",
      projections: { x: "[i]", y: "[i]" },
      compute: `${"(".repeat(5000)}x${")".repeat(5000)}`,
    });
    expect(issues.map((i) => [i.code, i.path])).toEqual([["nesting_too_deep", "/compute"]]);
  });
});

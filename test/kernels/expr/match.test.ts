import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  Bindings,
  type MatchResult,
  matchShape,
  parseShapePattern,
} from "../../../src/kernels/expr/index.js";

function match(pattern: string, shape: number[], bindings = Bindings.empty(), params = {}): MatchResult {
  return matchShape(parseShapePattern(pattern), shape, bindings, {
    by: "input x",
    path: "/inputs/x/shape",
    params,
  });
}

function bound(result: MatchResult): Record<string, number | number[]> {
  if (!result.ok) throw new Error(`unexpected mismatch: ${result.issue.summary}`);
  return result.bindings.toJSON();
}

function mismatch(result: MatchResult): { code: string; summary: string; path: string } {
  if (result.ok) throw new Error("expected a mismatch");
  return { code: result.issue.code, summary: result.issue.summary, path: result.issue.path };
}

describe("matchShape binds variables", () => {
  test("plain variables bind their dimension", () => {
    expect(bound(match("[$n, $d]", [4, 3]))).toEqual({ n: 4, d: 3 });
  });

  test.each([
    [[8], []],
    [[2, 8], [2]],
    [
      [2, 3, 8],
      [2, 3],
    ],
    [
      [2, 3, 4, 8],
      [2, 3, 4],
    ],
  ])("an ellipsis group takes the dimensions the other items leave: %j", (shape, batch) => {
    expect(bound(match("[$batch..., $in]", shape))).toEqual({ in: 8, "batch...": batch });
  });

  test("a group may sit in the middle, and may be empty", () => {
    expect(bound(match("[$a, $g..., $b]", [1, 2]))).toEqual({ a: 1, b: 2, "g...": [] });
    expect(bound(match("[$a, $g..., $b]", [1, 5, 6, 2]))).toEqual({ a: 1, b: 2, "g...": [5, 6] });
  });

  test("property: [$pre, $g..., $post] splits any shape of rank ≥ 2 exactly", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { minLength: 2, maxLength: 8 }), (shape) => {
        expect(bound(match("[$pre, $g..., $post]", shape))).toEqual({
          pre: shape[0],
          post: shape[shape.length - 1],
          "g...": shape.slice(1, -1),
        });
      }),
    );
  });

  test("a repeated variable must agree with itself", () => {
    expect(bound(match("[$n, $n]", [3, 3]))).toEqual({ n: 3 });
    expect(mismatch(match("[$n, $n]", [3, 4])).summary).toBe(
      "dimension 1: expected $n = 3 (bound by input x), found 4",
    );
  });

  test("literals, params and expressions of bound variables are evaluated and compared", () => {
    expect(bound(match("[3, @k, $h, $h * 2 + 1]", [3, 5, 4, 9], Bindings.empty(), { k: 5 }))).toEqual({
      h: 4,
    });
    // An expression may use a variable bound later in the same pattern.
    expect(bound(match("[$h * 2, $h]", [8, 4]))).toEqual({ h: 4 });
    expect(mismatch(match("[3, $n]", [4, 1])).summary).toBe("dimension 0: expected 3, found 4");
    expect(mismatch(match("[$h, $h * 2]", [4, 7])).summary).toBe("dimension 1: expected $h * 2 = 8, found 7");
    expect(mismatch(match("[@k]", [4], Bindings.empty(), { k: 5 })).summary).toBe(
      "dimension 0: expected @k = 5, found 4",
    );
  });
});

describe("matchShape reports mismatches as pattern_mismatch issues", () => {
  test("a variable bound by an earlier input names its binder", () => {
    const prior = Bindings.empty().withSize("k", 64, "input a");
    expect(bound(match("[$k, $n]", [64, 7], prior))).toEqual({ k: 64, n: 7 });
    expect(mismatch(match("[$n, $k]", [3, 32], prior))).toEqual({
      code: "pattern_mismatch",
      summary: "dimension 1: expected $k = 64 (bound by input a), found 32",
      path: "/inputs/x/shape",
    });
  });

  test("a group bound earlier must match exactly", () => {
    const prior = Bindings.empty().withGroup("batch", [2, 3], "input a");
    expect(bound(match("[$batch..., $n]", [2, 3, 7], prior))).toEqual({ "batch...": [2, 3], n: 7 });
    expect(mismatch(match("[$batch..., $n]", [2, 4, 7], prior)).summary).toBe(
      "dimensions [0, 2): expected $batch... = [2, 3] (bound by input a), found [2, 4]",
    );
  });

  test("rank mismatches state the expected and found rank", () => {
    expect(mismatch(match("[$n, $d]", [1, 2, 3])).summary).toBe(
      "expected rank 2 for [$n, $d], found rank 3 (shape [1, 2, 3])",
    );
    expect(mismatch(match("[$g..., $a, $b]", [1])).summary).toBe(
      "expected rank at least 2 for [$g..., $a, $b], found rank 1 (shape [1])",
    );
  });

  test("the issue carries structured context", () => {
    const result = match("[$n, $n]", [3, 4]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issue.context).toEqual({
        pattern: "[$n, $n]",
        shape: [3, 4],
        dim: 1,
        variable: "$n",
        expected: 3,
        found: 4,
        boundBy: "input x",
      });
    }
  });

  test("an expression over a variable no pattern binds is unbound_variable", () => {
    expect(mismatch(match("[$n, $q * 2]", [1, 2]))).toEqual({
      code: "unbound_variable",
      summary: "dimension 1: $q is not bound by any shape pattern",
      path: "/inputs/x/shape",
    });
  });

  test("matching never mutates the bindings it was given", () => {
    const prior = Bindings.empty().withSize("k", 2, "input a");
    bound(match("[$k, $n]", [2, 5], prior));
    expect(prior.toJSON()).toEqual({ k: 2 });
  });
});

import { describe, expect, test } from "vitest";
import { isTesseraError } from "../../../src/base/errors.js";
import { Bindings, evalIntExpr, type ParamValues, parseIntExpr } from "../../../src/kernels/expr/index.js";

const bindings = Bindings.empty().withSize("n", 10, "input x").withGroup("g", [2, 3], "input x");

function evaluate(source: string, params: ParamValues = {}): number {
  return evalIntExpr(parseIntExpr(source, false), { bindings, params });
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isTesseraError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "no error";
}

describe("integer expressions evaluate with floor division", () => {
  test.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["10 - 4 - 3", 3],
    ["7 // 2", 3],
    ["-7 // 2", -4],
    ["7 // -2", -4],
    ["-7 % 2", 1],
    ["7 % -2", -1],
    ["6 % 3", 0],
    ["-6 // 3", -2],
    ["max(3, $n)", 10],
    ["min(3, -$n)", -10],
    ["($n + 2 * @pad - @k) // @stride + 1", 5],
    ["@pads[1] - @pads[0]", 2],
    ["0 * -1", 0],
  ])("%s = %d", (source, value) => {
    const result = evaluate(source, { pad: 1, k: 3, stride: 2, pads: [1, 3] });
    expect(Object.is(result, value)).toBe(true);
  });

  test.each([
    ["$q + 1", {}, "unbound_variable: $q is not bound by any shape pattern"],
    ["$g", {}, "unbound_variable: $g is not bound by any shape pattern; $g is a group, write $g..."],
    ["@k", {}, "invalid_param: param @k is not set"],
    ["@k", { k: 1.5 }, "invalid_param: param @k must be an integer here, found 1.5"],
    ["@k", { k: [1] }, "invalid_param: param @k must be an integer here, found [1]"],
    ["@k[0]", { k: 2 }, "invalid_param: param @k is not a list, so @k[0] is meaningless"],
    ["@k[2]", { k: [1, 2] }, "invalid_param: @k[2] is out of range: @k has 2 entries"],
    ["$n // (3 - 3)", {}, "division_by_zero: $n // (3 - 3) divides 10 by zero"],
    ["$n % 0", {}, "division_by_zero: $n % 0 divides 10 by zero"],
    [
      "9007199254740991 + 1",
      {},
      "coordinate_overflow: 9007199254740991 + 1 = 9007199254740992 leaves the safe-integer range",
    ],
  ])("%s with %j fails: %s", (source, params: ParamValues, message) => {
    expect(codeOf(() => evaluate(source, params))).toBe(message);
  });
});

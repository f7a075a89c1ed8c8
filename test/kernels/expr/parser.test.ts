import { describe, expect, test } from "vitest";
import { isTesseraError, type TesseraError } from "../../../src/base/errors.js";
import {
  parseBoxShape,
  parseIndexSpace,
  parseIntExpr,
  parseList,
  parseProjection,
  parseScalar,
  parseShapePattern,
  printIntExpr,
  printList,
  printScalar,
} from "../../../src/kernels/expr/index.js";

function syntaxErrorOf(run: () => unknown): TesseraError {
  try {
    run();
  } catch (error) {
    if (isTesseraError(error)) return error;
    throw error;
  }
  throw new Error("expected a syntax error");
}

describe("parsing prints the canonical form", () => {
  const lists: [string, (s: string) => Parameters<typeof printList>[0], string][] = [
    ["[$n,$d]", parseShapePattern, "[$n, $d]"],
    ["[ $batch... , $in ]", parseShapePattern, "[$batch..., $in]"],
    ["[]", parseShapePattern, "[]"],
    ["[3, @k, $h*2+1]", parseShapePattern, "[3, @k, $h * 2 + 1]"],
    ["[b...:$batch...,m:$m,n:$n,k:$k]", parseIndexSpace, "[b...: $batch..., m: $m, n: $n, k: $k]"],
    ["[oh: ($h + 2*@pad - $k)//@stride + 1]", parseIndexSpace, "[oh: ($h + 2 * @pad - $k) // @stride + 1]"],
    ["[b..., (oh)*@stride-1+kh]", parseProjection, "[b..., oh * @stride - 1 + kh]"],
    ["[a-(b-c), (a-b)-c]", parseProjection, "[a - (b - c), a - b - c]"],
    ["[-(a+1), --a, 2*-3, -a*b]", parseProjection, "[-(a + 1), --a, 2 * -3, -a * b]"],
    ["[(i*2)*3, i*(2*3)]", parseProjection, "[i * 2 * 3, i * (2 * 3)]"],
    ["[$h // 2 % 3, max($a, $b+1), min(i, 0)]", parseProjection, "[$h // 2 % 3, max($a, $b + 1), min(i, 0)]"],
    ["[@pads[0]+i, @pads[@j - 1]]", parseProjection, "[@pads[0] + i, @pads[@j - 1]]"],
    ["[3, $g..., b...]", parseBoxShape, "[3, $g..., b...]"],
    ["[x..., $s..., n: 1, i...: $t..., 7]", parseList, "[x..., $s..., n: 1, i...: $t..., 7]"],
  ];
  test.each(lists)("%s", (source, parse, canonical) => {
    const ast = parse(source);
    expect(printList(ast)).toBe(canonical);
    expect(parse(canonical)).toEqual(ast);
  });

  const scalars: [string, string][] = [
    ["@scale*(x-y)*(x-y)", "@scale * (x - y) * (x - y)"],
    ["x/(y*z)", "x / (y * z)"],
    ["(x/y)*z", "x / y * z"],
    ["1.5e-3 + 2E3 + 0.25", "0.0015 + 2000 + 0.25"],
    ["sigmoid(-x)", "sigmoid(-x)"],
    ["pow( x ,2 )", "pow(x, 2)"],
    ["-(a*b)", "-(a * b)"],
  ];
  test.each(scalars)("scalar %s", (source, canonical) => {
    expect(printScalar(parseScalar(source))).toBe(canonical);
  });

  test("integer literals are never negative: -3 is neg(3)", () => {
    expect(parseIntExpr("-3")).toEqual({ kind: "neg", operand: { kind: "int", value: 3 } });
    expect(printIntExpr(parseIntExpr("- 3"))).toBe("-3");
  });

  test("an item's kind follows its form", () => {
    expect(parseList("[$g..., i..., n: $n, b...: $b..., 2]").items.map((i) => i.kind)).toEqual([
      "sizeGroup",
      "indexGroup",
      "dim",
      "dimGroup",
      "expr",
    ]);
  });
});

describe("syntax errors give the column, what was expected and what was found", () => {
  const cases: [string, (s: string) => unknown, number, string, string][] = [
    ["[$n, $d", parseShapePattern, 8, "']'", "end of input"],
    ["[$n $d]", parseShapePattern, 5, "']'", "'$d'"],
    ["[$n, #]", parseShapePattern, 6, "a number, name, operator or bracket", "'#'"],
    ["[$]", parseShapePattern, 3, "a name after '$'", "']'"],
    ["[$n..]", parseShapePattern, 4, "'...'", "'.'"],
    ["[$n] x", parseShapePattern, 6, "end of input", "'x'"],
    ["[n]", parseShapePattern, 2, "a size expression or $group...", "'n'"],
    ["[$n + k]", parseShapePattern, 7, "an integer, $size or @param", "'k'"],
    ["[1.5]", parseShapePattern, 2, "an integer", "'1.5'"],
    ["[99999999999999999999]", parseShapePattern, 2, "an integer below 2^53", "'99999999999999999999'"],
    [
      "[$a..., $b...]",
      parseShapePattern,
      9,
      "a size expression or $group... (a pattern binds at most one $group...)",
      "'$b'",
    ],
    ["[i..., j]", parseShapePattern, 2, "a size expression or $group...", "'i'"],
    ["[i, foo(j)]", parseProjection, 5, "max or min", "'foo'"],
    ["[i, max(j)]", parseProjection, 10, "','", "')'"],
    ["[n: $n, i: $i, $k]", parseIndexSpace, 16, "'name: extent' or 'name...: $group...'", "'$k'"],
    ["[m: $m, n]", parseIndexSpace, 9, "'name: extent' or 'name...: $group...'", "'n'"],
    ["[b...: $s]", parseIndexSpace, 8, "'$group...'", "'$s'"],
    ["[n: $n + m]", parseIndexSpace, 10, "an integer, $size or @param", "'m'"],
    ["[i, (j + 1]", parseProjection, 11, "')'", "']'"],
    ["[@p[i]]", parseProjection, 5, "an integer, $size or @param", "'i'"],
    ["$n", parseShapePattern, 1, "'['", "'$n'"],
    ["exp(x, y)", parseScalar, 6, "')'", "','"],
    [
      "foo(x)",
      parseScalar,
      1,
      "a function (exp, log, sqrt, abs, tanh, sigmoid, sign, erf, max, min, pow)",
      "'foo'",
    ],
    ["x +", parseScalar, 4, "a number, operand, @param, function call or '('", "end of input"],
    ["x // y", parseScalar, 3, "end of input", "'//'"],
    ["$n * x", parseScalar, 1, "a number, operand, @param, function call or '('", "'$n'"],
  ];
  test.each(cases)("%s", (source, parse, column, expected, found) => {
    const error = syntaxErrorOf(() => parse(source));
    expect(error.code).toBe("syntax_error");
    expect(error.message).toBe(`column ${column}: expected ${expected} but found ${found}`);
    expect(error.context).toEqual({ source, column, expected, found });
  });
});

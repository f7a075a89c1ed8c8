import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isTesseraError } from "../../../src/base/errors.js";
import { compileScalar, type ParamValues, parseScalar } from "../../../src/kernels/expr/index.js";

function run(source: string, operands: string[], values: number[], params: ParamValues = {}): number {
  return compileScalar(parseScalar(source), operands)(params)(Float64Array.from(values));
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isTesseraError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "no error";
}

describe("scalar bodies compile to closures", () => {
  const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
  test.each<[string, (x: number, y: number) => number]>([
    ["x + y * 2", (x, y) => x + y * 2],
    ["(x - y) / (x + y)", (x, y) => (x - y) / (x + y)],
    ["-x - -y", (x, y) => -x - -y],
    ["exp(x) + log(abs(y) + 1)", (x, y) => Math.exp(x) + Math.log(Math.abs(y) + 1)],
    ["sqrt(abs(x)) * tanh(y)", (x, y) => Math.sqrt(Math.abs(x)) * Math.tanh(y)],
    ["sigmoid(x) - sigmoid(-y)", (x, y) => sigmoid(x) - sigmoid(-y)],
    ["max(x, y) - min(x, 0)", (x, y) => Math.max(x, y) - Math.min(x, 0)],
    ["pow(abs(x), 1.5) + pow(2, y)", (x, y) => Math.abs(x) ** 1.5 + 2 ** y],
    ["1e-3 * x + 2.5e2", (x) => 1e-3 * x + 2.5e2],
  ])("%s", (source, reference) => {
    fc.assert(
      fc.property(
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        (x, y) => {
          expect(run(source, ["x", "y"], [x, y])).toBe(reference(x, y));
        },
      ),
      { numRuns: 50 },
    );
  });

  test("operands read their argument slot, in the order given", () => {
    expect(run("a - b", ["b", "a"], [1, 10])).toBe(9);
  });

  test("params are constants: float, int, and bool as 1 or 0", () => {
    expect(run("@scale * x + @bias", ["x"], [3], { scale: 0.5, bias: 2 })).toBe(3.5);
    expect(run("x * @on + 1 - @on", ["x"], [7], { on: true })).toBe(7);
    expect(run("x * @on + 1 - @on", ["x"], [7], { on: false })).toBe(1);
  });

  test("constant sub-trees fold once, when params are bound", () => {
    const program = compileScalar(parseScalar("x * sqrt(@k / 4) + exp(0)"), ["x"]);
    expect(program({ k: 16 })(Float64Array.of(3))).toBe(7);
    expect(program({ k: 4 })(Float64Array.of(3))).toBe(4);
  });

  test("an unknown operand fails at compile time; a missing or list param when binding", () => {
    expect(errorOf(() => compileScalar(parseScalar("x + z"), ["x", "y"]))).toBe(
      "unbound_variable: x + z reads z, which is not an input (inputs: x, y)",
    );
    const program = compileScalar(parseScalar("x * @k"), ["x"]);
    expect(errorOf(() => program({}))).toBe(
      "invalid_param: param @k must be a number in a compute expression, but it is not set",
    );
    expect(errorOf(() => program({ k: [1, 2] }))).toBe(
      "invalid_param: param @k must be a number in a compute expression, but it is a list",
    );
  });
});

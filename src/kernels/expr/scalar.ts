import { TesseraError } from "../../base/errors.js";
import { erf } from "../numeric/erf.js";
import type { ScalarFn } from "../numeric/pointwise.js";
import type { ScalarExpr, ScalarFnName, ScalarOp } from "./ast.js";
import type { ParamValues } from "./bindings.js";
import { printScalar } from "./printer.js";

/** A compiled scalar body awaiting its params: bind once per operation, call once per element. */
export type ScalarProgram = (params: ParamValues) => ScalarFn;

/** A scalar expression with operand names resolved to argument slots. */
type Resolved =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "slot"; readonly slot: number }
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "binary"; readonly op: ScalarOp; readonly left: Resolved; readonly right: Resolved }
  | { readonly kind: "neg"; readonly operand: Resolved }
  | { readonly kind: "call"; readonly fn: ScalarFnName; readonly args: readonly Resolved[] };

/** A built node: a closure, and its value when it does not depend on the operands. */
interface Built {
  readonly fn: ScalarFn;
  readonly constant?: number;
}

const UNARY: Readonly<
  Record<"exp" | "log" | "sqrt" | "abs" | "tanh" | "sigmoid" | "sign" | "erf", (x: number) => number>
> = {
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  // `+ 0` turns Math.sign(-0) into 0: a signed zero would print and compare oddly downstream.
  sign: (x) => Math.sign(x) + 0,
  erf,
};

const BINARY: Readonly<Record<ScalarOp | "max" | "min" | "pow", (x: number, y: number) => number>> = {
  "+": (x, y) => x + y,
  "-": (x, y) => x - y,
  "*": (x, y) => x * y,
  "/": (x, y) => x / y,
  max: Math.max,
  min: Math.min,
  pow: (x, y) => x ** y,
};

/**
 * Compiles a scalar expression over the named operands (argument `i` of the closure is operand
 * `operands[i]`) into a program that, given params, returns a closure tree. Sub-trees that do
 * not read an operand — params included — are folded to constants when the params are bound.
 * Throws `unbound_variable` for an unknown operand; binding throws `invalid_param` for a param
 * that is absent or a list.
 *
 * Example: `compileScalar(parseScalar("@k * x + y"), ["x", "y"])({ k: 2 })(Float64Array.of(3, 1))` is 7.
 */
export function compileScalar(expr: ScalarExpr, operands: readonly string[]): ScalarProgram {
  const resolved = resolve(expr, operands, printScalar(expr));
  return (params) => build(resolved, params).fn;
}

function resolve(e: ScalarExpr, operands: readonly string[], source: string): Resolved {
  switch (e.kind) {
    case "number":
    case "param":
      return e;
    case "operand": {
      const slot = operands.indexOf(e.name);
      if (slot < 0) {
        throw new TesseraError(
          "unbound_variable",
          `${source} reads ${e.name}, which is not an input (inputs: ${operands.join(", ") || "none"})`,
          { variable: e.name, source },
        );
      }
      return { kind: "slot", slot };
    }
    case "neg":
      return { kind: "neg", operand: resolve(e.operand, operands, source) };
    case "binary":
      return {
        kind: "binary",
        op: e.op,
        left: resolve(e.left, operands, source),
        right: resolve(e.right, operands, source),
      };
    case "call":
      return { kind: "call", fn: e.fn, args: e.args.map((a) => resolve(a, operands, source)) };
  }
}

function constant(value: number): Built {
  return { fn: () => value, constant: value };
}

function build(e: Resolved, params: ParamValues): Built {
  switch (e.kind) {
    case "number":
      return constant(e.value);
    case "param":
      return constant(scalarParam(e.name, params));
    case "slot": {
      const slot = e.slot;
      return { fn: (a) => a[slot]! };
    }
    case "neg": {
      const x = build(e.operand, params);
      if (x.constant !== undefined) return constant(-x.constant);
      const f = x.fn;
      return { fn: (a) => -f(a) };
    }
    case "binary":
      return buildBinary(BINARY[e.op], build(e.left, params), build(e.right, params));
    case "call": {
      const args = e.args.map((a) => build(a, params));
      if (e.fn === "max" || e.fn === "min" || e.fn === "pow")
        return buildBinary(BINARY[e.fn], args[0]!, args[1]!);
      const g = UNARY[e.fn];
      const x = args[0]!;
      if (x.constant !== undefined) return constant(g(x.constant));
      const f = x.fn;
      return { fn: (a) => g(f(a)) };
    }
  }
}

function buildBinary(op: (x: number, y: number) => number, l: Built, r: Built): Built {
  if (l.constant !== undefined && r.constant !== undefined) return constant(op(l.constant, r.constant));
  const lf = l.fn;
  const rf = r.fn;
  // A constant side is captured as a number so that the hot loop makes one call fewer.
  if (r.constant !== undefined) {
    const c = r.constant;
    return { fn: (a) => op(lf(a), c) };
  }
  if (l.constant !== undefined) {
    const c = l.constant;
    return { fn: (a) => op(c, rf(a)) };
  }
  return { fn: (a) => op(lf(a), rf(a)) };
}

function scalarParam(name: string, params: ParamValues): number {
  const v = Object.hasOwn(params, name) ? params[name] : undefined;
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  const found = v === undefined ? "it is not set" : "it is a list";
  throw new TesseraError(
    "invalid_param",
    `param @${name} must be a number in a compute expression, but ${found}`,
    {
      param: name,
    },
  );
}

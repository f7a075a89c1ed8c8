import { TesseraError } from "../../base/errors.js";
import type { IntExpr, IntOp } from "./ast.js";
import type { Bindings, ParamValues } from "./bindings.js";
import { printIntExpr } from "./printer.js";

/** What an integer expression without index variables is evaluated against. */
export interface IntEnv {
  readonly bindings: Bindings;
  readonly params: ParamValues;
}

/**
 * The value of `e` under `env`. `//` rounds toward negative infinity and `%` takes the sign of
 * the divisor (Python's convention), so `-7 // 2 = -4` and `-7 % 2 = 1`. Throws
 * `unbound_variable`, `invalid_param`, `division_by_zero` or `coordinate_overflow`.
 */
export function evalIntExpr(e: IntExpr, env: IntEnv): number {
  switch (e.kind) {
    case "int":
      return e.value;
    case "size": {
      const v = env.bindings.size(e.name);
      if (v !== undefined) return v;
      const hint =
        env.bindings.group(e.name) !== undefined ? `; $${e.name} is a group, write $${e.name}...` : "";
      throw new TesseraError("unbound_variable", `$${e.name} is not bound by any shape pattern${hint}`, {
        variable: `$${e.name}`,
      });
    }
    case "param":
      return paramValue(e.name, e.index === undefined ? undefined : evalIntExpr(e.index, env), env.params);
    case "index":
      throw new TesseraError(
        "unbound_variable",
        `index variable ${e.name} cannot be used outside a projection`,
        {
          variable: e.name,
        },
      );
    case "neg":
      return checked(-evalIntExpr(e.operand, env), e);
    case "call": {
      const a = evalIntExpr(e.args[0], env);
      const b = evalIntExpr(e.args[1], env);
      return e.fn === "max" ? Math.max(a, b) : Math.min(a, b);
    }
    case "binary":
      return applyIntOp(e.op, evalIntExpr(e.left, env), evalIntExpr(e.right, env), e);
  }
}

/** `a op b` with the language's integer semantics; `where` names the expression in errors. */
export function applyIntOp(op: IntOp, a: number, b: number, where: IntExpr): number {
  switch (op) {
    case "+":
      return checked(a + b, where);
    case "-":
      return checked(a - b, where);
    case "*":
      return checked(a * b, where);
    case "//":
      return (a - floorMod(a, b, where)) / b + 0;
    case "%":
      return floorMod(a, b, where);
  }
}

function floorMod(a: number, b: number, where: IntExpr): number {
  if (b === 0) {
    throw new TesseraError("division_by_zero", `${printIntExpr(where)} divides ${a} by zero`, {
      expression: printIntExpr(where),
    });
  }
  const r = a % b;
  // JS `%` takes the dividend's sign; shift into the divisor's sign (and turn -0 into 0).
  return r !== 0 && r < 0 !== b < 0 ? r + b : r + 0;
}

function checked(v: number, where: IntExpr): number {
  if (!Number.isSafeInteger(v)) {
    throw new TesseraError(
      "coordinate_overflow",
      `${printIntExpr(where)} = ${v} leaves the safe-integer range`,
      {
        expression: printIntExpr(where),
      },
    );
  }
  return v + 0; // -0 + 0 is 0: sizes and coordinates never carry a signed zero
}

/** The integer value of `@name` (or `@name[index]`); throws `invalid_param` when absent or mistyped. */
export function paramValue(name: string, index: number | undefined, params: ParamValues): number {
  // hasOwn: a param named like an Object.prototype member must not resolve to it.
  const v = Object.hasOwn(params, name) ? params[name] : undefined;
  if (v === undefined) {
    throw new TesseraError("invalid_param", `param @${name} is not set`, { param: name });
  }
  if (index === undefined) {
    if (typeof v === "number" && Number.isSafeInteger(v)) return v;
    throw new TesseraError(
      "invalid_param",
      `param @${name} must be an integer here, found ${JSON.stringify(v)}`,
      {
        param: name,
      },
    );
  }
  if (typeof v === "number" || typeof v === "boolean") {
    throw new TesseraError(
      "invalid_param",
      `param @${name} is not a list, so @${name}[${index}] is meaningless`,
      {
        param: name,
      },
    );
  }
  const entry = v[index];
  if (entry === undefined || index < 0) {
    throw new TesseraError(
      "invalid_param",
      `@${name}[${index}] is out of range: @${name} has ${v.length} ${v.length === 1 ? "entry" : "entries"}`,
      {
        param: name,
        index,
        length: v.length,
      },
    );
  }
  return entry;
}

import { TesseraError } from "../../base/errors.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import type { BoxShapeList, IntExpr, ProjectionList } from "./ast.js";
import { applyIntOp, evalIntExpr, type IntEnv, paramValue } from "./evaluate.js";
import type { IndexSpace } from "./index-space.js";
import { printIntExpr } from "./printer.js";

/** `Σ coeffs[d]·i_d + constant`: an integer expression that is affine in the index variables. */
export interface AffineForm {
  readonly coeffs: readonly number[];
  readonly constant: number;
}

function isConstant(f: AffineForm): boolean {
  return f.coeffs.every((c) => c === 0);
}

function safe(v: number, where: IntExpr): number {
  if (!Number.isSafeInteger(v)) {
    throw new TesseraError("coordinate_overflow", `${printIntExpr(where)} leaves the safe-integer range`, {
      expression: printIntExpr(where),
    });
  }
  return v + 0;
}

function combine(a: AffineForm, b: AffineForm, ka: number, kb: number, where: IntExpr): AffineForm {
  return {
    coeffs: a.coeffs.map((c, d) => safe(ka * c + kb * b.coeffs[d]!, where)),
    constant: safe(ka * a.constant + kb * b.constant, where),
  };
}

/**
 * The first sub-expression that keeps `e` from being affine in the index variables, and why;
 * undefined when `e` is affine. Structural: it needs no values, so declarations are checked once.
 */
export function findNonAffine(e: IntExpr): { readonly term: IntExpr; readonly reason: string } | undefined {
  switch (e.kind) {
    case "int":
    case "size":
    case "index":
      return undefined;
    case "param":
      if (e.index !== undefined && usesIndex(e.index))
        return { term: e, reason: "indexes a param list by an index variable" };
      return undefined;
    case "neg":
      return findNonAffine(e.operand);
    case "call":
      if (e.args.some(usesIndex)) return { term: e, reason: `takes ${e.fn} of an index-dependent term` };
      return undefined;
    case "binary": {
      const inner = findNonAffine(e.left) ?? findNonAffine(e.right);
      if (inner !== undefined) return inner;
      if (e.op === "*" && usesIndex(e.left) && usesIndex(e.right)) {
        return { term: e, reason: "multiplies two index-dependent terms" };
      }
      if ((e.op === "//" || e.op === "%") && (usesIndex(e.left) || usesIndex(e.right))) {
        return { term: e, reason: `applies ${e.op} to an index-dependent term` };
      }
      return undefined;
    }
  }
}

/** True when `e` mentions an index variable. */
export function usesIndex(e: IntExpr): boolean {
  switch (e.kind) {
    case "index":
      return true;
    case "int":
    case "size":
      return false;
    case "param":
      return e.index !== undefined && usesIndex(e.index);
    case "neg":
      return usesIndex(e.operand);
    case "call":
      return e.args.some(usesIndex);
    case "binary":
      return usesIndex(e.left) || usesIndex(e.right);
  }
}

/**
 * Compiles a coordinate expression into its affine form over `space`, evaluating sizes and
 * params from `env`. Throws `not_affine` (e.g. for `i * j` or `i // 2`) and `unbound_variable`
 * for a name the index space does not declare.
 *
 * Example: `oh * @stride + kh - 1` with `@stride = 2` over `[oh, kh]` is `2·oh + kh - 1`.
 */
export function compileAffineExpr(e: IntExpr, space: IndexSpace, env: IntEnv): AffineForm {
  const bad = findNonAffine(e);
  if (bad !== undefined) {
    const text = printIntExpr(e);
    const term = printIntExpr(bad.term);
    throw new TesseraError(
      "not_affine",
      `${text} is not affine in the index variables: ${term} ${bad.reason}`,
      {
        expression: text,
        term,
      },
    );
  }
  return affine(e, space, env);
}

function affine(e: IntExpr, space: IndexSpace, env: IntEnv): AffineForm {
  const rank = space.sizes.length;
  const constant = (value: number): AffineForm => ({
    coeffs: new Array<number>(rank).fill(0),
    constant: value,
  });
  switch (e.kind) {
    case "index": {
      const dim = space.vars.get(e.name);
      if (dim === undefined) {
        const hint = space.groups.has(e.name) ? `; ${e.name} is an index group, write ${e.name}...` : "";
        throw new TesseraError(
          "unbound_variable",
          `index variable ${e.name} is not declared in the index space${hint}`,
          {
            variable: e.name,
          },
        );
      }
      return { coeffs: space.sizes.map((_, d) => (d === dim ? 1 : 0)), constant: 0 };
    }
    case "param":
      return constant(
        paramValue(e.name, e.index === undefined ? undefined : evalIntExpr(e.index, env), env.params),
      );
    case "int":
    case "size":
    case "call":
      // findNonAffine guarantees calls here have index-free arguments.
      return constant(evalIntExpr(e, env));
    case "neg":
      return combine(affine(e.operand, space, env), constant(0), -1, 0, e);
    case "binary": {
      const l = affine(e.left, space, env);
      const r = affine(e.right, space, env);
      switch (e.op) {
        case "+":
          return combine(l, r, 1, 1, e);
        case "-":
          return combine(l, r, 1, -1, e);
        case "*":
          return isConstant(l) ? combine(r, r, l.constant, 0, e) : combine(l, l, r.constant, 0, e);
        default:
          return constant(applyIntOp(e.op, l.constant, r.constant, e));
      }
    }
  }
}

/**
 * Compiles a point projection list into the affine map from `space` to the operand: one row per
 * expression item, and one unit row per dimension of each `name...` index group.
 *
 * Example: `[b..., m + 1]` over `[b...: $batch..., m: $m]` with `$batch... = [2, 3]` is the map
 * with rows `[1,0,0]`, `[0,1,0]`, `[0,0,1]` and offset `[0, 0, 1]`.
 */
export function compileProjection(list: ProjectionList, space: IndexSpace, env: IntEnv): ZAffineMap {
  const rank = space.sizes.length;
  const rows: number[][] = [];
  const offset: number[] = [];
  for (const item of list.items) {
    if (item.kind === "expr") {
      const f = compileAffineExpr(item.expr, space, env);
      rows.push(f.coeffs.slice());
      offset.push(f.constant);
      continue;
    }
    for (const dim of groupDims(item.name, space)) {
      rows.push(Array.from({ length: rank }, (_, d) => (d === dim ? 1 : 0)));
      offset.push(0);
    }
  }
  return ZAffineMap.fromMatrix(rows, offset, rank);
}

/**
 * Evaluates the shape of a box-form projection: an extent per expression item, the bound sizes
 * of each `$group...`, and a 1 per dimension of each `name...` index group.
 */
export function compileBoxShape(list: BoxShapeList, space: IndexSpace, env: IntEnv): number[] {
  const out: number[] = [];
  for (const item of list.items) {
    if (item.kind === "expr") {
      const v = evalIntExpr(item.expr, env);
      if (v < 0) {
        throw new TesseraError(
          "negative_extent",
          `box extent ${printIntExpr(item.expr)} = ${v} is negative`,
          {
            expression: printIntExpr(item.expr),
            found: v,
          },
        );
      }
      out.push(v);
    } else if (item.kind === "sizeGroup") {
      const values = env.bindings.group(item.name);
      if (values === undefined) {
        throw new TesseraError("unbound_variable", `$${item.name}... is not bound by any shape pattern`, {
          variable: `$${item.name}...`,
        });
      }
      out.push(...values);
    } else {
      out.push(...groupDims(item.name, space).map(() => 1));
    }
  }
  return out;
}

function groupDims(name: string, space: IndexSpace): readonly number[] {
  const dims = space.groups.get(name);
  if (dims === undefined) {
    throw new TesseraError("unbound_variable", `index group ${name}... is not declared in the index space`, {
      variable: `${name}...`,
    });
  }
  return dims;
}

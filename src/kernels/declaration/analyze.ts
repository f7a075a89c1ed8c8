import { DTYPES, type DType, isDType } from "../../base/dtype.js";
import type { IssueCollector } from "../../base/issue.js";
import { pointer } from "../../base/json.js";
import type { IndexSpaceList, ScalarExpr, ShapePattern } from "../expr/ast.js";
import { parseIndexSpace, parseScalar, parseShapePattern } from "../expr/parser.js";
import { intReferences, scalarReferences } from "../expr/references.js";
import { checkProjection, type ParsedProjection } from "./check-projection.js";
import { paramFits } from "./params.js";
import { checkParamRefs, checkSizes, type Scope, tryParse } from "./scope.js";
import type { KernelDeclaration, OperandDeclaration } from "./types.js";

/** An operand's dtype: a dtype variable bound by the inputs, or one fixed dtype. */
export type DTypeRef =
  | { readonly kind: "var"; readonly name: string }
  | { readonly kind: "fixed"; readonly dtype: DType };

/** One operand with its expressions parsed and checked. */
export interface AnalyzedOperand extends ParsedProjection {
  readonly name: string;
  readonly role: "input" | "output";
  readonly pattern: ShapePattern;
  readonly dtype: DTypeRef;
}

/** A declaration whose every expression parsed and whose names all resolve. */
export interface AnalyzedDeclaration {
  readonly declaration: KernelDeclaration;
  readonly inputs: readonly AnalyzedOperand[];
  readonly outputs: readonly AnalyzedOperand[];
  readonly index: IndexSpaceList;
  readonly compute: ScalarExpr | undefined;
}

/**
 * Parses every expression of a schema-valid declaration and checks that it hangs together,
 * recording every problem with a JSON pointer: `syntax_error` (with the column),
 * `unbound_variable` (a `$size`, `@param`, index variable or operand no one declares),
 * `not_affine`, `rank_mismatch` (projection rank ≠ operand rank), `invalid_param` (a default
 * or param use of the wrong type) and `invalid_declaration` (duplicate or unknown names, a dtype
 * variable no input binds, an output projection that depends on a reduction dimension or
 * misses a non-reduction one, a compute body the pointwise evaluator cannot run).
 * Returns undefined when anything was recorded.
 */
export function analyzeDeclaration(
  decl: KernelDeclaration,
  issues: IssueCollector,
): AnalyzedDeclaration | undefined {
  const before = issues.issues.length;
  const scope: Scope = {
    issues,
    params: decl.params ?? {},
    sizes: new Set(),
    groups: new Set(),
    indexVars: new Set(),
    indexGroups: new Map(),
    sizesKnown: true,
    indexKnown: true,
  };
  checkParamDefaults(scope);
  checkOperandNames(decl, issues);
  const dtypes = resolveDTypes(decl, issues);

  const patterns = new Map<string, ShapePattern>();
  decl.inputs.forEach((op, i) => {
    const pattern = checkInputPattern(op, pointer(pointer("", "inputs"), i), scope);
    if (pattern !== undefined) patterns.set(op.name, pattern);
  });
  decl.outputs.forEach((op, i) => {
    const pattern = checkOutputPattern(op, pointer(pointer("", "outputs"), i), scope);
    if (pattern !== undefined) patterns.set(op.name, pattern);
  });
  const index = checkIndexSpace(decl.index, scope);
  checkReductions(decl, scope);

  const analyzed = new Map<string, AnalyzedOperand>();
  const operands = [
    ...decl.inputs.map((op) => ["input", op] as const),
    ...decl.outputs.map((op) => ["output", op] as const),
  ];
  for (const [role, op] of operands) {
    const pattern = patterns.get(op.name);
    const dtype = dtypes.get(op.name);
    const projection = checkProjection(decl, role, op.name, pattern, scope);
    if (pattern !== undefined && dtype !== undefined && projection !== undefined) {
      analyzed.set(op.name, { name: op.name, role, pattern, dtype, ...projection });
    }
  }
  for (const key of Object.keys(decl.projections)) {
    if (!operands.some(([, op]) => op.name === key)) {
      issues.add(
        "invalid_declaration",
        pointer("/projections", key),
        `projection for '${key}', which is not an operand`,
        {
          name: key,
        },
      );
    }
  }
  const compute = checkCompute(decl, scope, analyzed);
  checkVjp(decl, scope);
  if (issues.issues.length > before || index === undefined) return undefined;
  const pick = (ops: readonly OperandDeclaration[]): AnalyzedOperand[] =>
    ops.map((op) => analyzed.get(op.name)!);
  return { declaration: decl, inputs: pick(decl.inputs), outputs: pick(decl.outputs), index, compute };
}

/** Records `invalid_declaration` for a VJP of a non-input, or a binding to no input, output or cotangent. */
function checkVjp(decl: KernelDeclaration, scope: Scope): void {
  if (decl.vjp === undefined) return;
  const inputs = decl.inputs.map((op) => op.name);
  const outputs = decl.outputs.map((op) => op.name);
  const known = [...inputs, ...outputs, ...outputs.map((o) => `d${o}`)];
  for (const [name, step] of Object.entries(decl.vjp)) {
    const at = pointer("/vjp", name);
    if (!inputs.includes(name)) {
      scope.issues.add(
        "invalid_declaration",
        at,
        `vjp for '${name}', which is not an input (inputs: ${inputs.join(", ")})`,
        {
          name,
        },
      );
    }
    for (const [slot, ref] of Object.entries(step.inputs)) {
      if (known.includes(ref)) continue;
      scope.issues.add(
        "invalid_declaration",
        pointer(pointer(at, "inputs"), slot),
        `vjp of '${name}' binds '${slot}' to '${ref}', which is none of ${known.join(", ")}`,
        { name, slot, found: ref, expected: known },
      );
    }
  }
}

function checkParamDefaults(scope: Scope): void {
  for (const [name, p] of Object.entries(scope.params)) {
    if (p.default === undefined || paramFits(p, p.default)) continue;
    scope.issues.add(
      "invalid_param",
      pointer(pointer(pointer("", "params"), name), "default"),
      `param ${name} is declared ${p.type} but its default is ${JSON.stringify(p.default)}`,
      { param: name, expected: p.type },
    );
  }
}

function checkOperandNames(decl: KernelDeclaration, issues: IssueCollector): void {
  const seen = new Set<string>();
  const check = (ops: readonly OperandDeclaration[], role: string): void =>
    ops.forEach((op, i) => {
      if (seen.has(op.name)) {
        issues.add(
          "invalid_declaration",
          pointer(pointer(pointer("", role), i), "name"),
          `operand name ${op.name} is used twice`,
          {
            name: op.name,
          },
        );
      }
      seen.add(op.name);
    });
  check(decl.inputs, "inputs");
  check(decl.outputs, "outputs");
}

function resolveDTypes(decl: KernelDeclaration, issues: IssueCollector): Map<string, DTypeRef> {
  const vars = decl.dtypes ?? {};
  for (const name of Object.keys(vars)) {
    if (isDType(name)) {
      issues.add(
        "invalid_declaration",
        pointer("/dtypes", name),
        `dtype variable ${name} shadows the dtype ${name}`,
        { name },
      );
    }
  }
  const known = Object.keys(vars);
  const out = new Map<string, DTypeRef>();
  const boundByInputs = new Set<string>();
  const resolve = (op: OperandDeclaration, path: string, input: boolean): void => {
    if (isDType(op.dtype)) {
      out.set(op.name, { kind: "fixed", dtype: op.dtype });
    } else if (!Object.hasOwn(vars, op.dtype)) {
      issues.add(
        "invalid_declaration",
        path,
        `unknown dtype variable ${op.dtype} (declared: ${known.join(", ") || "none"}; dtypes: ${DTYPES.join(", ")})`,
        { found: op.dtype },
      );
    } else if (!input && !boundByInputs.has(op.dtype)) {
      issues.add(
        "invalid_declaration",
        path,
        `output ${op.name} has dtype ${op.dtype}, which no input binds`,
        {
          variable: op.dtype,
        },
      );
    } else {
      if (input) boundByInputs.add(op.dtype);
      out.set(op.name, { kind: "var", name: op.dtype });
    }
  };
  decl.inputs.forEach((op, i) => {
    resolve(op, pointer(pointer(pointer("", "inputs"), i), "dtype"), true);
  });
  decl.outputs.forEach((op, i) => {
    resolve(op, pointer(pointer(pointer("", "outputs"), i), "dtype"), false);
  });
  return out;
}

function checkInputPattern(op: OperandDeclaration, path: string, scope: Scope): ShapePattern | undefined {
  const shapePath = pointer(path, "shape");
  const pattern = tryParse(op.shape, parseShapePattern, shapePath, scope.issues);
  if (pattern === undefined) {
    scope.sizesKnown = false;
    return undefined;
  }
  const plain = new Set(
    pattern.items.flatMap((it) => (it.kind === "expr" && it.expr.kind === "size" ? [it.expr.name] : [])),
  );
  const refs = intReferences(pattern);
  // Groups bind as they match, so they are not "unbound" in their own pattern.
  for (const g of refs.sizeGroups) scope.groups.add(g);
  checkSizes(refs, shapePath, scope, plain);
  checkParamRefs(refs, shapePath, scope, false);
  for (const s of plain) scope.sizes.add(s);
  return pattern;
}

function checkOutputPattern(op: OperandDeclaration, path: string, scope: Scope): ShapePattern | undefined {
  const shapePath = pointer(path, "shape");
  const pattern = tryParse(op.shape, parseShapePattern, shapePath, scope.issues);
  if (pattern === undefined) return undefined;
  const refs = intReferences(pattern);
  checkSizes(refs, shapePath, scope);
  checkParamRefs(refs, shapePath, scope, false);
  return pattern;
}

function checkIndexSpace(source: string, scope: Scope): IndexSpaceList | undefined {
  const list = tryParse(source, parseIndexSpace, "/index", scope.issues);
  if (list === undefined) {
    scope.indexKnown = false;
    return undefined;
  }
  for (const item of list.items) {
    if (scope.indexVars.has(item.name) || scope.indexGroups.has(item.name)) {
      scope.issues.add(
        "invalid_declaration",
        "/index",
        `index variable ${item.name} is declared twice in ${source}`,
        {
          name: item.name,
        },
      );
    }
    if (item.kind === "dim") scope.indexVars.add(item.name);
    else scope.indexGroups.set(item.name, item.group);
  }
  const refs = intReferences(list);
  checkSizes(refs, "/index", scope);
  checkParamRefs(refs, "/index", scope, false);
  return list;
}

function checkReductions(decl: KernelDeclaration, scope: Scope): void {
  if (!scope.indexKnown) return;
  for (const name of Object.keys(decl.reductions ?? {})) {
    if (scope.indexVars.has(name) || scope.indexGroups.has(name)) continue;
    scope.issues.add(
      "invalid_declaration",
      pointer("/reductions", name),
      `reduction ${name} is not an index variable or group of ${decl.index}`,
      { name },
    );
  }
}

function checkCompute(
  decl: KernelDeclaration,
  scope: Scope,
  operands: ReadonlyMap<string, AnalyzedOperand>,
): ScalarExpr | undefined {
  if (decl.compute === undefined) return undefined;
  const expr = tryParse(decl.compute, parseScalar, "/compute", scope.issues);
  if (expr === undefined) return undefined;
  const refs = scalarReferences(expr);
  const inputs = decl.inputs.map((op) => op.name);
  for (const name of refs.operands) {
    if (inputs.includes(name)) continue;
    scope.issues.add(
      "unbound_variable",
      "/compute",
      `compute reads ${name}, which is not an input (inputs: ${inputs.join(", ") || "none"})`,
      {
        variable: name,
      },
    );
  }
  checkParamRefs(refs, "/compute", scope, true);
  if (decl.outputs.length !== 1) {
    scope.issues.add(
      "invalid_declaration",
      "/compute",
      `a compute body writes one output, but ${decl.kernel} declares ${decl.outputs.length}`,
    );
  }
  for (const op of operands.values()) {
    if (op.box === undefined) continue;
    scope.issues.add(
      "invalid_declaration",
      pointer("/projections", op.name),
      `a compute body reads and writes one element per index point, but ${op.name} has a box projection`,
      { operand: op.name },
    );
  }
  const monoids = new Set(Object.values(decl.reductions ?? {}));
  if (monoids.size > 1) {
    scope.issues.add(
      "invalid_declaration",
      "/reductions",
      `a compute body folds all reductions with one monoid, found ${[...monoids].join(", ")}`,
    );
  }
  return expr;
}

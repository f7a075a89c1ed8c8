import { pointer } from "../../base/json.js";
import { findNonAffine } from "../expr/affine.js";
import type { BoxShapeList, ListExpr, ProjectionList, ShapePattern } from "../expr/ast.js";
import { parseBoxShape, parseProjection } from "../expr/parser.js";
import { printIntExpr, printList } from "../expr/printer.js";
import { intReferences } from "../expr/references.js";
import { checkParamRefs, checkSizes, type Scope, tryParse } from "./scope.js";
import type { KernelDeclaration } from "./types.js";

/** A parsed projection: the point list (or box origin) and, for the box form, the box shape. */
export interface ParsedProjection {
  readonly start: ProjectionList;
  /** Undefined for the point form (a box of ones). */
  readonly box: BoxShapeList | undefined;
}

/** The rank of a list as `fixed + |$g...| + ...`, with index groups mapped to their size groups. */
function symbolicRank(list: ListExpr, scope: Scope): { fixed: number; groups: string[] } | undefined {
  let fixed = 0;
  const groups: string[] = [];
  for (const item of list.items) {
    if (item.kind === "sizeGroup") groups.push(item.name);
    else if (item.kind === "indexGroup") {
      const g = scope.indexGroups.get(item.name);
      if (g === undefined) return undefined;
      groups.push(g);
    } else fixed++;
  }
  return { fixed, groups: groups.sort() };
}

function rankText(r: { fixed: number; groups: string[] }): string {
  return [String(r.fixed), ...r.groups.map((g) => `|$${g}...|`)].join(" + ");
}

/**
 * Parses and checks the projection of one operand: names resolve in the index space, every
 * coordinate is affine, its rank equals the operand's, and an output's projection moves with
 * exactly the non-reduction dimensions.
 */
export function checkProjection(
  decl: KernelDeclaration,
  role: "input" | "output",
  name: string,
  pattern: ShapePattern | undefined,
  scope: Scope,
): ParsedProjection | undefined {
  const path = pointer("/projections", name);
  if (!Object.hasOwn(decl.projections, name)) {
    scope.issues.add("invalid_declaration", "/projections", `${role} ${name} has no projection`, {
      operand: name,
    });
    return undefined;
  }
  const decl_ = decl.projections[name]!;
  const startPath = typeof decl_ === "string" ? path : pointer(path, "start");
  const start = tryParse(
    typeof decl_ === "string" ? decl_ : decl_.start,
    parseProjection,
    startPath,
    scope.issues,
  );
  const shapePath = pointer(path, "shape");
  const box =
    typeof decl_ === "string" ? undefined : tryParse(decl_.shape, parseBoxShape, shapePath, scope.issues);
  if (start === undefined || (typeof decl_ !== "string" && box === undefined)) return undefined;

  const refs = intReferences(start);
  checkSizes(refs, startPath, scope);
  checkParamRefs(refs, startPath, scope, false);
  for (const v of refs.indices) {
    if (scope.indexVars.has(v) || !scope.indexKnown) continue;
    const hint = scope.indexGroups.has(v) ? `; ${v} is an index group, write ${v}...` : "";
    scope.issues.add(
      "unbound_variable",
      startPath,
      `index variable ${v} is not declared in ${decl.index}${hint}`,
      {
        variable: v,
      },
    );
  }
  for (const g of refs.indexGroups) {
    if (scope.indexGroups.has(g) || !scope.indexKnown) continue;
    scope.issues.add("unbound_variable", startPath, `index group ${g}... is not declared in ${decl.index}`, {
      variable: `${g}...`,
    });
  }
  for (const item of start.items) {
    if (item.kind !== "expr") continue;
    const bad = findNonAffine(item.expr);
    if (bad === undefined) continue;
    scope.issues.add(
      "not_affine",
      startPath,
      `${printIntExpr(item.expr)} is not affine in the index variables: ${printIntExpr(bad.term)} ${bad.reason}`,
      { expression: printIntExpr(item.expr), term: printIntExpr(bad.term) },
    );
  }
  if (box !== undefined) {
    const boxRefs = intReferences(box);
    checkSizes(boxRefs, shapePath, scope);
    checkParamRefs(boxRefs, shapePath, scope, false);
  }
  if (pattern !== undefined) {
    const want = symbolicRank(pattern, scope);
    for (const [list, where] of [
      [start, startPath],
      [box, shapePath],
    ] as const) {
      if (list === undefined) continue;
      const got = symbolicRank(list, scope);
      if (want === undefined || got === undefined) continue;
      if (got.fixed === want.fixed && got.groups.join() === want.groups.join()) continue;
      scope.issues.add(
        "rank_mismatch",
        where,
        `projection ${printList(list)} has rank ${rankText(got)} but ${role} ${name} has rank ${rankText(want)} (${printList(pattern)})`,
        { operand: name, expected: rankText(want), found: rankText(got) },
      );
    }
  }
  if (role === "output" && scope.indexKnown) checkOutputDependence(decl, name, start, startPath, scope);
  return { start, box };
}

/**
 * An output must not move with a reduction dimension (its partials fold instead) and must move
 * with every other one (otherwise two index points write one element with no monoid to fold them).
 */
function checkOutputDependence(
  decl: KernelDeclaration,
  name: string,
  start: ProjectionList,
  path: string,
  scope: Scope,
): void {
  const reductions = decl.reductions ?? {};
  const refs = intReferences(start);
  const used = [...refs.indices, ...refs.indexGroups];
  for (const v of used) {
    if (Object.hasOwn(reductions, v)) {
      scope.issues.add(
        "invalid_declaration",
        path,
        `output ${name} depends on reduction dimension ${v}; an output may use only non-reduction dimensions`,
        { operand: name, dim: v },
      );
    }
  }
  for (const v of [...scope.indexVars, ...scope.indexGroups.keys()]) {
    if (Object.hasOwn(reductions, v) || used.includes(v)) continue;
    scope.issues.add(
      "invalid_declaration",
      path,
      `output ${name} does not depend on index dimension ${v}, which is not a reduction: several index points would write one element`,
      { operand: name, dim: v },
    );
  }
}

import { isTesseraError } from "../../base/errors.js";
import { type Issue, issue } from "../../base/issue.js";
import type { IntExpr, ShapePattern } from "./ast.js";
import type { Bindings, ParamValues } from "./bindings.js";
import { evalIntExpr } from "./evaluate.js";
import { printIntExpr, printList } from "./printer.js";

/** The outcome of matching a shape: the extended bindings, or the first issue found. */
export type MatchResult =
  | { readonly ok: true; readonly bindings: Bindings }
  | { readonly ok: false; readonly issue: Issue };

/** Who is matching and where, for messages and issue paths. */
export interface MatchOptions {
  /** Recorded as the binder of new variables: `input a`. */
  readonly by?: string;
  /** JSON pointer of the issue (default: the root). */
  readonly path?: string;
  /** Values for `@param` references in the pattern. */
  readonly params?: ParamValues;
}

/**
 * Matches a concrete shape against a pattern, binding its variables. A plain `$x` dimension
 * binds `$x` (or must equal its earlier value), `$group...` binds the run of dimensions it
 * covers (possibly empty), and any other expression — a literal, `@param`, or `$h * 2` — is
 * evaluated once the plain variables of this pattern are bound, and must equal the dimension.
 *
 * Example: `[$batch..., $in]` against `[2, 3, 8]` binds `$batch... = [2, 3]` and `$in = 8`;
 * against `[4, 9]` with `$in` already 8 (bound by input x) it fails with
 * `dimension 1: expected $in = 8 (bound by input x), found 9`.
 */
export function matchShape(
  pattern: ShapePattern,
  shape: readonly number[],
  bindings: Bindings,
  options: MatchOptions = {},
): MatchResult {
  const by = options.by ?? "an earlier pattern";
  const path = options.path ?? "";
  const params = options.params ?? {};
  const text = printList(pattern);
  const items = pattern.items;
  const groupAt = items.findIndex((i) => i.kind === "sizeGroup");
  const fixed = groupAt < 0 ? items.length : items.length - 1;
  const fail = (summary: string, context: Record<string, string | number | number[]>): MatchResult => ({
    ok: false,
    issue: issue("pattern_mismatch", path, summary, { pattern: text, shape: shape.slice(), ...context }),
  });

  if (groupAt < 0 ? shape.length !== fixed : shape.length < fixed) {
    const rank = groupAt < 0 ? `${fixed}` : `at least ${fixed}`;
    return fail(
      `expected rank ${rank} for ${text}, found rank ${shape.length} (shape [${shape.join(", ")}])`,
      {
        expected: rank,
        found: shape.length,
      },
    );
  }
  const groupLength = shape.length - fixed;
  const dimOf = (i: number): number => (groupAt < 0 || i < groupAt ? i : i - 1 + groupLength);

  let bound = bindings;
  const compound: { expr: IntExpr; dim: number }[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind === "sizeGroup") {
      const found = shape.slice(groupAt, groupAt + groupLength);
      const prior = bound.group(item.name);
      if (prior === undefined) {
        bound = bound.withGroup(item.name, found, by);
      } else if (prior.length !== found.length || prior.some((v, j) => v !== found[j])) {
        const binder = bound.boundBy(item.name, true) ?? by;
        return fail(
          `dimensions [${groupAt}, ${groupAt + groupLength}): expected $${item.name}... = [${prior.join(", ")}] (bound by ${binder}), found [${found.join(", ")}]`,
          { dim: groupAt, variable: `$${item.name}...`, expected: prior.slice(), found, boundBy: binder },
        );
      }
      continue;
    }
    const dim = dimOf(i);
    const found = shape[dim]!;
    if (item.expr.kind !== "size") {
      compound.push({ expr: item.expr, dim });
      continue;
    }
    const name = item.expr.name;
    const prior = bound.size(name);
    if (prior === undefined) {
      bound = bound.withSize(name, found, by);
    } else if (prior !== found) {
      const binder = bound.boundBy(name) ?? by;
      return fail(`dimension ${dim}: expected $${name} = ${prior} (bound by ${binder}), found ${found}`, {
        dim,
        variable: `$${name}`,
        expected: prior,
        found,
        boundBy: binder,
      });
    }
  }

  for (const { expr, dim } of compound) {
    const found = shape[dim]!;
    let expected: number;
    try {
      expected = evalIntExpr(expr, { bindings: bound, params });
    } catch (error) {
      if (!isTesseraError(error) || error.code === "validation_failed") throw error;
      return {
        ok: false,
        issue: issue(error.code, path, `dimension ${dim}: ${error.message}`, {
          pattern: text,
          dim,
          ...error.context,
        }),
      };
    }
    if (expected !== found) {
      const what = expr.kind === "int" ? `${expected}` : `${printIntExpr(expr)} = ${expected}`;
      return fail(`dimension ${dim}: expected ${what}, found ${found}`, { dim, expected, found });
    }
  }
  return { ok: true, bindings: bound };
}

import { isTesseraError } from "../../base/errors.js";
import type { IssueCollector } from "../../base/issue.js";
import type { References } from "../expr/references.js";
import type { ParamDeclaration } from "./types.js";

/** What the checks of one declaration share: the collector and the names bound so far. */
export interface Scope {
  readonly issues: IssueCollector;
  readonly params: Readonly<Record<string, ParamDeclaration>>;
  /** `$sizes` bound by a plain dimension of some input. */
  readonly sizes: Set<string>;
  /** `$groups...` bound by some input. */
  readonly groups: Set<string>;
  /** Index variables. */
  readonly indexVars: Set<string>;
  /** Index group → the size group it ranges over. */
  readonly indexGroups: Map<string, string>;
  /** False once an input pattern failed to parse: its variables are unknown, so "unbound" would mislead. */
  sizesKnown: boolean;
  /** False when the index space failed to parse, for the same reason. */
  indexKnown: boolean;
}

/** Parses `source`, recording a parse failure as an issue at `path` (with the source quoted). */
export function tryParse<T>(
  source: string,
  parse: (s: string) => T,
  path: string,
  issues: IssueCollector,
): T | undefined {
  try {
    return parse(source);
  } catch (error) {
    if (!isTesseraError(error) || error.code === "validation_failed") throw error;
    issues.add(error.code, path, `${error.message} in \`${source}\``, error.context);
    return undefined;
  }
}

/** Records an issue for each `@param` used in an integer (or scalar) context that is undeclared or mistyped. */
export function checkParamRefs(refs: References, path: string, scope: Scope, scalar: boolean): void {
  const use = (name: string, ok: (t: ParamDeclaration["type"]) => boolean, wanted: string): void => {
    if (!Object.hasOwn(scope.params, name)) {
      scope.issues.add("unbound_variable", path, `@${name} is not a declared param`, {
        variable: `@${name}`,
      });
      return;
    }
    const type = scope.params[name]!.type;
    if (!ok(type)) {
      scope.issues.add("invalid_param", path, `@${name} is a ${type} param, but this use needs ${wanted}`, {
        param: name,
        expected: wanted,
        found: type,
      });
    }
  };
  for (const name of refs.params) {
    if (scalar) use(name, (t) => t !== "int[]", "a number or bool");
    else use(name, (t) => t === "int", "an int");
  }
  for (const name of refs.listParams) use(name, (t) => t === "int[]", "an int[]");
}

/** Records `unbound_variable` for each `$size` or `$group...` no input binds (`plain`: bound by the pattern being checked). */
export function checkSizes(
  refs: References,
  path: string,
  scope: Scope,
  plain: ReadonlySet<string> = new Set(),
): void {
  if (!scope.sizesKnown) return;
  for (const name of refs.sizes) {
    if (scope.sizes.has(name) || plain.has(name)) continue;
    const hint = scope.groups.has(name) ? `; $${name} is a group, write $${name}...` : "";
    scope.issues.add(
      "unbound_variable",
      path,
      `$${name} is not bound by a plain $${name} dimension of this or an earlier input${hint}`,
      { variable: `$${name}` },
    );
  }
  for (const name of refs.sizeGroups) {
    if (scope.groups.has(name)) continue;
    scope.issues.add("unbound_variable", path, `$${name}... is not bound by any input pattern`, {
      variable: `$${name}...`,
    });
  }
}

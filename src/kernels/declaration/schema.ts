import type { ErrorObject } from "ajv";
import { type Issue, issue } from "../../base/issue.js";
import { pointer } from "../../base/json.js";
import { schemaValidator } from "../../base/schemas.js";
import type { KernelDeclaration } from "./types.js";

/**
 * Checks `json` against `schemas/kernel-declaration.schema.json`. Returns the declaration when
 * it conforms, and one issue per problem otherwise: `missing_field` for an absent required
 * field, `expected_object` / `expected_array` for a wrong container, `invalid_declaration` for
 * everything else; paths are JSON pointers into `json`.
 */
export function checkDeclarationSchema(json: unknown): SchemaCheck {
  const v = schemaValidator<KernelDeclaration>("kernel-declaration");
  if (v(json)) return { declaration: json, issues: [] };
  return { declaration: undefined, issues: schemaIssues(v.errors ?? []) };
}

/** The outcome of a schema check: the typed declaration, or the issues (never both). */
export interface SchemaCheck {
  readonly declaration: KernelDeclaration | undefined;
  readonly issues: readonly Issue[];
}

function schemaIssues(errors: readonly ErrorObject[]): Issue[] {
  // `oneOf`/`anyOf` failures repeat what their branches said; type errors on one path merge
  // into a single "expected string or object".
  const types = new Map<string, string[]>();
  const out: Issue[] = [];
  for (const e of errors) {
    if (e.keyword === "oneOf" || e.keyword === "anyOf") continue;
    const params: Record<string, unknown> = e.params;
    if (e.keyword === "type") {
      const list = types.get(e.instancePath);
      const t = String(params.type);
      if (list === undefined) types.set(e.instancePath, [t]);
      else list.push(t);
      continue;
    }
    if (e.keyword === "required") {
      const field = String(params.missingProperty);
      out.push(
        issue(
          "missing_field",
          pointer(e.instancePath, field),
          `${where(e.instancePath)} needs field '${field}'`,
        ),
      );
    } else if (e.keyword === "additionalProperties") {
      const field = String(params.additionalProperty);
      out.push(
        issue(
          "invalid_declaration",
          pointer(e.instancePath, field),
          `unknown field '${field}' in ${where(e.instancePath)}`,
        ),
      );
    } else if (e.keyword === "propertyNames") {
      const name = String(params.propertyName);
      out.push(
        issue(
          "invalid_declaration",
          pointer(e.instancePath, name),
          `'${name}' is not a valid name (letters, digits, _)`,
        ),
      );
    } else if (e.keyword === "pattern" && e.propertyName !== undefined) {
    } else {
      const allowed =
        e.keyword === "enum"
          ? ` (${(Array.isArray(params.allowedValues) ? params.allowedValues : []).join(", ")})`
          : e.keyword === "const"
            ? ` ${JSON.stringify(params.allowedValue)}`
            : "";
      out.push(
        issue(
          "invalid_declaration",
          e.instancePath,
          `${where(e.instancePath)} ${e.message ?? "is invalid"}${allowed}`,
        ),
      );
    }
  }
  for (const [path, list] of types) {
    const code =
      list.length === 1 && list[0] === "array"
        ? "expected_array"
        : list.length === 1 && list[0] === "object"
          ? "expected_object"
          : "invalid_declaration";
    out.push(issue(code, path, `${where(path)} must be ${list.join(" or ")}`, { expected: list }));
  }
  return out;
}

function where(path: string): string {
  return path === "" ? "the declaration" : path;
}

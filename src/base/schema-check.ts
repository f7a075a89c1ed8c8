import { type Issue, issue } from "./issue.js";
import type { JsonValue } from "./json.js";
import { schemaValidator } from "./schemas.js";

/**
 * Checks `json` against `schemas/<name>.schema.json`; every violation becomes a
 * `schema_violation` issue at its JSON pointer (a wrong `version` is `unsupported_version`).
 * The branches of a failed `anyOf`/`oneOf` at one path merge into one issue ("must be number
 * or must be equal to one of the allowed values"), so one bad value is reported once.
 */
export function checkSchema(name: string, json: unknown): Issue[] {
  const validate = schemaValidator(name);
  if (validate(json)) return [];
  const errors = validate.errors ?? [];
  const alternatives = new Set(
    errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").map((e) => e.instancePath),
  );
  const merged = new Map<string, string[]>();
  const out: Issue[] = [];
  for (const e of errors) {
    const path = e.instancePath;
    if (path === "/version" && e.keyword === "const") {
      const found = JSON.stringify((json as { version?: unknown }).version);
      // The version this schema reads (1 for most formats; a format that changed shape reads a later one).
      const expected = typeof e.params.allowedValue === "number" ? e.params.allowedValue : 1;
      out.push(
        issue(
          "unsupported_version",
          path,
          `this Tessera reads version ${expected} documents, found version ${found}`,
          { expected },
        ),
      );
      continue;
    }
    if (e.keyword === "anyOf" || e.keyword === "oneOf") continue;
    const extra = e.keyword === "additionalProperties" ? ` '${String(e.params.additionalProperty)}'` : "";
    const message = `${e.message ?? "is invalid"}${extra}`;
    if (alternatives.has(path)) {
      const list = merged.get(path) ?? [];
      if (!list.includes(message)) list.push(message);
      merged.set(path, list);
      continue;
    }
    const where = path === "" ? "the document" : path;
    out.push(
      issue("schema_violation", path, `${where} ${message}`, {
        keyword: e.keyword,
        params: e.params as JsonValue,
      }),
    );
  }
  for (const [path, messages] of merged) {
    out.push(
      issue("schema_violation", path, `${path === "" ? "the document" : path} ${messages.join(" or ")}`, {
        keyword: "anyOf",
      }),
    );
  }
  return out;
}

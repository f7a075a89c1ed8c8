import { type Issue, issue } from "../base/issue.js";
import type { JsonValue } from "../base/json.js";
import { schemaValidator } from "../base/schemas.js";

/**
 * Checks `json` against `schemas/<name>.schema.json`; every violation becomes a
 * `schema_violation` issue at its JSON pointer (a wrong `version` is `unsupported_version`).
 */
export function checkSchema(name: string, json: unknown): Issue[] {
  const validate = schemaValidator(name);
  if (validate(json)) return [];
  return (validate.errors ?? []).map((e) => {
    const path = e.instancePath;
    if (path === "/version" && e.keyword === "const") {
      return issue(
        "unsupported_version",
        path,
        `this Tessera reads version 1 documents, found version ${JSON.stringify((json as { version?: unknown }).version)}`,
        {
          expected: 1,
        },
      );
    }
    const extra = e.keyword === "additionalProperties" ? ` '${String(e.params.additionalProperty)}'` : "";
    const where = path === "" ? "the document" : path;
    return issue("schema_violation", path, `${where} ${e.message ?? "is invalid"}${extra}`, {
      keyword: e.keyword,
      params: e.params as JsonValue,
    });
  });
}

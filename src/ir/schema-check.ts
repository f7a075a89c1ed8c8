import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { type Issue, issue } from "../base/issue.js";
import type { JsonValue } from "../base/json.js";

const cache = new Map<string, ValidateFunction>();

/** The compiled validator of `schemas/<name>.schema.json` (read once, from the package root). */
function validatorFor(name: string): ValidateFunction {
  let v = cache.get(name);
  if (v === undefined) {
    // src/ir and dist/ir are both two levels below the package root, where schemas/ lives.
    const text = readFileSync(new URL(`../../schemas/${name}.schema.json`, import.meta.url), "utf8");
    v = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(text) as object);
    cache.set(name, v);
  }
  return v;
}

/**
 * Checks `json` against `schemas/<name>.schema.json`; every violation becomes a
 * `schema_violation` issue at its JSON pointer (a wrong `version` is `unsupported_version`).
 */
export function checkSchema(name: string, json: unknown): Issue[] {
  const validate = validatorFor(name);
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

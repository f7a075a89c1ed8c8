import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";

const cache = new Map<string, ValidateFunction>();

/**
 * The compiled validator of `schemas/<name>.schema.json`, read and compiled once. Every layer
 * folder sits two levels below the package root in both `src/` and `dist/`, and so does this
 * file, so the same relative URL finds `schemas/` from either.
 */
export function schemaValidator<T = unknown>(name: string): ValidateFunction<T> {
  let v = cache.get(name);
  if (v === undefined) {
    const text = readFileSync(new URL(`../../schemas/${name}.schema.json`, import.meta.url), "utf8");
    // Named import: under NodeNext ESM the default export of this CommonJS package is the module object.
    v = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(text) as object);
    cache.set(name, v);
  }
  return v as ValidateFunction<T>;
}

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv as AjvClass, ValidateFunction } from "ajv";

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
    // Loaded on first use: importing ajv costs ~50 ms that processes and workers which never
    // check a document (e.g. executor threads) should not pay.
    const { Ajv } = createRequire(import.meta.url)("ajv") as { Ajv: typeof AjvClass };
    v = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(text) as object);
    cache.set(name, v);
  }
  return v as ValidateFunction<T>;
}

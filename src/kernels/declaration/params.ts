import { isJsonObject, nullRecord, pointer } from "../../base/json.js";
import type { ParamsDecoder } from "../kernel.js";
import type { DeclaredParams, ParamDeclaration } from "./types.js";

/**
 * The params decoder of a declared kernel: accepts an object (or nothing, meaning `{}`),
 * fills defaults, and records `invalid_param` for an unknown name, a missing param without a
 * default, or a value of the wrong type (`int` must be a safe integer, `float` finite,
 * `int[]` an array of safe integers). Returns a frozen record.
 */
export function paramsDecoder(
  declared: Readonly<Record<string, ParamDeclaration>>,
): ParamsDecoder<DeclaredParams> {
  const names = Object.keys(declared);
  return (given, issues, path) => {
    const raw = given === undefined || given === null ? {} : given;
    if (!isJsonObject(raw)) {
      issues.add(
        "expected_object",
        path,
        `params must be an object, found ${Array.isArray(raw) ? "an array" : typeof raw}`,
      );
      return undefined;
    }
    let ok = true;
    for (const key of Object.keys(raw)) {
      if (Object.hasOwn(declared, key)) continue;
      ok = false;
      issues.add(
        "invalid_param",
        pointer(path, key),
        `unknown param ${key} (${names.length === 0 ? "this kernel takes no params" : `declared: ${names.join(", ")}`})`,
        { param: key },
      );
    }
    const out = nullRecord<number | boolean | readonly number[]>();
    for (const [name, p] of Object.entries(declared)) {
      const value = Object.hasOwn(raw, name) ? raw[name] : p.default;
      if (value === undefined) {
        ok = false;
        issues.add("invalid_param", pointer(path, name), `missing param ${name} (${p.type})`, {
          param: name,
          expected: p.type,
        });
      } else if (!paramFits(p, value)) {
        ok = false;
        issues.add(
          "invalid_param",
          pointer(path, name),
          `param ${name} must be ${describeType(p.type)}, found ${JSON.stringify(value)}`,
          {
            param: name,
            expected: p.type,
          },
        );
      } else if (typeof value === "number" || typeof value === "boolean") {
        out[name] = value;
      } else if (Array.isArray(value)) {
        out[name] = Object.freeze(value.filter((v: unknown): v is number => typeof v === "number"));
      }
    }
    return ok ? Object.freeze(out) : undefined;
  };
}

function describeType(type: ParamDeclaration["type"]): string {
  switch (type) {
    case "int":
      return "an integer";
    case "float":
      return "a finite number";
    case "bool":
      return "true or false";
    case "int[]":
      return "an array of integers";
  }
}

/** True when `value` has the declared type of `p`. */
export function paramFits(p: ParamDeclaration, value: unknown): boolean {
  switch (p.type) {
    case "int":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "float":
      return typeof value === "number" && Number.isFinite(value);
    case "bool":
      return typeof value === "boolean";
    case "int[]":
      return (
        Array.isArray(value) && value.every((v: unknown) => typeof v === "number" && Number.isSafeInteger(v))
      );
  }
}

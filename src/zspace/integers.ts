import { TesseraError } from "../base/errors.js";
import type { IssueCollector } from "../base/issue.js";
import { pointer } from "../base/json.js";

/** Checks that an arithmetic result is still a safe integer; geometry never silently loses precision. */
export function checkedInt(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new TesseraError(
      "coordinate_overflow",
      `${what} = ${value} is outside the safe-integer range ±(2^53 - 1)`,
      {
        what,
        value: Number.isFinite(value) ? value : String(value),
      },
    );
  }
  return value;
}

/**
 * Decodes a JSON array of safe integers at `path`, recording issues instead of throwing.
 * Returns undefined when the value is unusable.
 */
export function decodeIntArray(value: unknown, path: string, issues: IssueCollector): number[] | undefined {
  if (!Array.isArray(value)) {
    issues.add("expected_array", path, `expected an array of integers, found ${describe(value)}`, {
      found: describe(value),
    });
    return undefined;
  }
  let ok = true;
  const out: number[] = [];
  value.forEach((v: unknown, i) => {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) {
      ok = false;
      issues.add("not_integer", pointer(path, i), `expected a safe integer, found ${describe(v)}`, {
        found: typeof v === "number" ? (Number.isFinite(v) ? v : String(v)) : describe(v),
      });
    } else {
      out.push(v);
    }
  });
  return ok ? out : undefined;
}

/** A short description of a JSON value's kind and (for scalars) value, for messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "undefined") return "nothing";
  return `${typeof value} ${String(value)}`;
}

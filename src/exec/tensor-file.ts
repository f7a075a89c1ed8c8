import { allocate } from "../base/dtype.js";
import { throwIfIssues } from "../base/errors.js";
import { IssueCollector } from "../base/issue.js";
import type { JsonValue } from "../base/json.js";
import { pointer } from "../base/json.js";
import { checkSchema } from "../base/schema-check.js";
import type { Region } from "../kernels/region.js";
import { decodeRange } from "../zspace/z-range.js";

type Encoded = number | "NaN" | "Infinity" | "-Infinity" | "-0";

/** A value as the file holds it: −0 as the string "-0", since `JSON.stringify(-0)` is "0". */
function encode(v: number): Encoded {
  if (Object.is(v, -0)) return "-0";
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

function decode(v: Encoded): number {
  return typeof v === "number"
    ? v
    : v === "-0"
      ? -0
      : v === "NaN"
        ? Number.NaN
        : v === "Infinity"
          ? Number.POSITIVE_INFINITY
          : Number.NEGATIVE_INFINITY;
}

/**
 * The tensor file format (`schemas/tensors.schema.json`): `{ version: 1, kind: "tensors",
 * tensors: { id: { dtype, range, data } } }` with row-major values; non-finite floats and −0 as
 * strings.
 */
export function tensorsToJson(values: Readonly<Record<string, Region>>): JsonValue {
  return {
    version: 1,
    kind: "tensors",
    tensors: Object.fromEntries(
      Object.entries(values).map(([id, r]) => [
        id,
        { dtype: r.dtype, range: r.range.toJSON(), data: Array.from(r.data, encode) },
      ]),
    ),
  };
}

/** Reads a tensor file document, throwing `ValidationError` listing every problem. */
export function tensorsFromJson(json: unknown): Record<string, Region> {
  throwIfIssues(checkSchema("tensors", json), "tensor file");
  const doc = json as {
    tensors: Record<string, { dtype: Region["dtype"]; range: unknown; data: Encoded[] }>;
  };
  const issues = new IssueCollector();
  // Null prototype: a tensor named `__proto__` or `constructor` is an entry like any other.
  const out: Record<string, Region> = Object.create(null) as Record<string, Region>;
  for (const [id, t] of Object.entries(doc.tensors)) {
    const path = pointer("/tensors", id);
    const range = decodeRange(t.range, pointer(path, "range"), issues);
    if (range === undefined) continue;
    if (t.data.length !== range.size) {
      issues.add(
        "invalid_tensor_file",
        pointer(path, "data"),
        `tensor '${id}' over ${range} needs ${range.size} values, found ${t.data.length}`,
        {
          tensor: id,
          expected: range.size,
          found: t.data.length,
        },
      );
      continue;
    }
    if (t.dtype === "int32") {
      // An Int32Array would silently truncate 1.5, zero "NaN" and wrap 2^31: refuse instead.
      const bad = t.data.findIndex((v) => typeof v !== "number" || !Number.isInteger(v) || v !== (v | 0));
      if (bad >= 0) {
        issues.add(
          "invalid_tensor_file",
          pointer(pointer(path, "data"), bad),
          `int32 tensor '${id}' holds ${JSON.stringify(t.data[bad])} at ${bad}, which is not an int32 value`,
          { tensor: id, index: bad, found: t.data[bad]! },
        );
        continue;
      }
    }
    const data = allocate(t.dtype, range.size);
    t.data.forEach((v, i) => {
      data[i] = decode(v);
    });
    out[id] = { dtype: t.dtype, range, data };
  }
  throwIfIssues(issues.issues, "tensor file");
  return out;
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DType } from "../../src/base/dtype.js";
import { ValidationError } from "../../src/base/errors.js";
import { tensorsFromJson, tensorsToJson } from "../../src/exec/index.js";
import type { Region } from "../../src/kernels/region.js";
import { ZRange } from "../../src/zspace/index.js";
import { thrown } from "../support/thrown.js";
import { tensor, valuesOf } from "./tensor-values.js";

/** Writes `values` as a tensor file's text and reads it back, as `tessera eval --out/--inputs` do. */
function roundTrip(values: Record<string, Region>): Record<string, Region> {
  return tensorsFromJson(JSON.parse(JSON.stringify(tensorsToJson(values))));
}

/** The issues of the `ValidationError` reading `doc` throws. */
function issuesOf(doc: unknown) {
  const error = thrown(() => tensorsFromJson(doc));
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues;
}

/** A well-formed tensor file holding `tensors`. */
const file = (tensors: Record<string, unknown>) => ({ version: 1, kind: "tensors", tensors });

describe("the tensor file format round-trips values exactly", () => {
  it("float32, float64 and int32 tensors, at any origin and of any rank", () => {
    const values = {
      f32: tensor([2, 2], [0.1, -2.5, 1e-30, 3.4e38]),
      f64: tensor(ZRange.fromBounds([-1], [3]), [0.1, 1e-300, 2 ** 53, -Math.PI], "float64"),
      i32: tensor([3], [-(2 ** 31), 0, 2 ** 31 - 1], "int32"),
      scalar: tensor([], [7], "float64"),
      empty: tensor([0, 3], [], "int32"),
    };
    const back = roundTrip(values);
    expect(Object.keys(back)).toEqual(Object.keys(values));
    for (const [id, r] of Object.entries(values)) {
      const got = back[id]!;
      expect(got.dtype).toBe(r.dtype);
      expect(got.range.equals(r.range)).toBe(true);
      expect(got.data.constructor).toBe(r.data.constructor);
      expect(valuesOf(got)).toEqual(valuesOf(r));
    }
  });

  it('NaN and ±Infinity are written as the strings "NaN", "Infinity", "-Infinity" and read back', () => {
    const values = { x: tensor([4], [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1]) };
    const json = tensorsToJson(values) as { tensors: { x: { data: unknown[] } } };
    expect(json.tensors.x.data).toEqual(["NaN", "Infinity", "-Infinity", 1]);
    const back = valuesOf(roundTrip(values).x!);
    expect(back[0]).toBeNaN();
    expect(back.slice(1)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1]);
  });

  it("property: any float32 or float64 values round-trip (zero's sign aside: JSON has no -0)", () => {
    const unsignedZero = (v: number) => (v === 0 ? 0 : v);
    const arrays = fc.oneof(
      fc.float32Array({ maxLength: 20 }).map((d) => ({ dtype: "float32" as DType, data: Array.from(d) })),
      fc.float64Array({ maxLength: 20 }).map((d) => ({ dtype: "float64" as DType, data: Array.from(d) })),
      fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 20 }).map((data) => ({
        dtype: "int32" as DType,
        data,
      })),
    );
    fc.assert(
      fc.property(arrays, ({ dtype, data }) => {
        const back = roundTrip({ t: tensor([data.length], data, dtype) }).t!;
        expect(back.dtype).toBe(dtype);
        expect(valuesOf(back).map(unsignedZero)).toEqual(data.map(unsignedZero));
      }),
    );
  });
});

describe("reading a malformed tensor file", () => {
  it.each([
    { what: "a missing kind", doc: { version: 1, tensors: {} }, path: "" },
    {
      what: "an unknown dtype",
      doc: file({ x: { dtype: "float16", range: { start: [0], end: [1] }, data: [1] } }),
      path: "/tensors/x/dtype",
    },
    {
      what: "a lower-case nan",
      doc: file({ x: { dtype: "float32", range: { start: [0], end: [1] }, data: ["nan"] } }),
      path: "/tensors/x/data/0",
    },
    {
      what: "an unknown field",
      doc: file({ x: { dtype: "int32", range: { start: [0], end: [0] }, data: [], shape: [0] } }),
      path: "/tensors/x",
    },
    {
      what: "a fractional coordinate",
      doc: file({ x: { dtype: "int32", range: { start: [0], end: [1.5] }, data: [] } }),
      path: "/tensors/x/range/end/0",
    },
  ])("$what is a ValidationError with a schema_violation at $path", ({ doc, path }) => {
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.code)).toContain("schema_violation");
    expect(issues.map((i) => i.path)).toContain(path);
  });

  it("another version is unsupported_version", () => {
    expect(issuesOf({ version: 2, kind: "tensors", tensors: {} })).toEqual([
      expect.objectContaining({ code: "unsupported_version", path: "/version" }),
    ]);
  });

  it("a data array of the wrong length is invalid_tensor_file at that tensor's data, stating expected vs found", () => {
    const issues = issuesOf(
      file({
        ok: { dtype: "float32", range: { start: [0], end: [2] }, data: [1, 2] },
        "a/b": { dtype: "float32", range: { start: [1, 0], end: [3, 3] }, data: [1, 2, 3, 4, 5] },
      }),
    );
    expect(issues).toEqual([
      {
        code: "invalid_tensor_file",
        path: "/tensors/a~1b/data",
        summary: "tensor 'a/b' over [1:3, 0:3) needs 6 values, found 5",
        context: { tensor: "a/b", expected: 6, found: 5 },
      },
    ]);
  });

  it("every problem is reported at once", () => {
    const issues = issuesOf(
      file({
        short: { dtype: "float32", range: { start: [0], end: [3] }, data: [1] },
        backwards: { dtype: "float32", range: { start: [2], end: [1] }, data: [] },
      }),
    );
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["invalid_tensor_file", "/tensors/short/data"],
      ["end_before_start", expect.stringMatching(/^\/tensors\/backwards\/range/)],
    ]);
  });

  it.each([
    { what: "a fraction", value: 1.5 },
    { what: "NaN", value: "NaN" },
    { what: "a value past int32", value: 2 ** 31 },
  ])(
    "$what in an int32 tensor is invalid_tensor_file at that element, not silently converted",
    ({ value }) => {
      const issues = issuesOf(
        file({ k: { dtype: "int32", range: { start: [0], end: [3] }, data: [1, value, 3] } }),
      );
      expect(issues).toEqual([
        expect.objectContaining({
          code: "invalid_tensor_file",
          path: "/tensors/k/data/1",
          context: { tensor: "k", index: 1, found: value },
        }),
      ]);
    },
  );
});

describe("tensor ids that are Object.prototype names are ordinary entries", () => {
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])(
    "a tensor named %s round-trips",
    (id) => {
      const doc = JSON.parse(
        `{"version":1,"kind":"tensors","tensors":{"${id}":{"dtype":"float32","range":{"start":[0],"end":[2]},"data":[1,2]}}}`,
      );
      const read = tensorsFromJson(doc);
      expect(Object.keys(read)).toEqual([id]);
      expect(valuesOf(read[id]!)).toEqual([1, 2]);
    },
  );
});

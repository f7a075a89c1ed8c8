import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { IssueCode } from "../../../src/base/codes.js";
import { isTesseraError, ValidationError } from "../../../src/base/errors.js";
import {
  checkKernelDeclaration,
  compileDeclaration,
  declaredKernel,
  type KernelDeclaration,
  loadKernelDeclaration,
  loadKernelDeclarationFile,
} from "../../../src/kernels/declaration/index.js";

const INVALID = new URL("../../fixtures/kernels/invalid/", import.meta.url);

/** A valid declaration the table below breaks one field at a time. */
const MATVEC: KernelDeclaration = {
  version: 1,
  kernel: "matvec",
  summary: "matrix-vector product",
  dtypes: { T: ["float32", "float64"] },
  params: { alpha: { type: "float", default: 1 }, shift: { type: "int", default: 0 } },
  inputs: [
    { name: "a", shape: "[$m, $k]", dtype: "T" },
    { name: "v", shape: "[$k]", dtype: "T" },
  ],
  outputs: [{ name: "out", shape: "[$m]", dtype: "T" }],
  index: "[i: $m, k: $k]",
  projections: { a: "[i, k]", v: "[k]", out: "[i]" },
  reductions: { k: "sum" },
  compute: "@alpha * a * v",
};

function validationErrorOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

function issuesOf(json: unknown): { code: IssueCode; path: string; summary: string }[] {
  return checkKernelDeclaration(json).issues.map(({ code, path, summary }) => ({ code, path, summary }));
}

describe("a valid declaration", () => {
  test("checks clean", () => {
    expect(issuesOf(MATVEC)).toEqual([]);
    expect(declaredKernel(MATVEC).id).toBe("matvec");
  });
});

describe("each invalid declaration produces its code at its path", () => {
  const cases: [string, Record<string, unknown>, IssueCode, string, string][] = [
    [
      "wrong version",
      { version: 2 },
      "invalid_declaration",
      "/version",
      "/version must be equal to constant 1",
    ],
    ["missing index", { index: undefined }, "missing_field", "/index", "the declaration needs field 'index'"],
    ["inputs not an array", { inputs: { a: 1 } }, "expected_array", "/inputs", "/inputs must be array"],
    [
      "unknown monoid",
      { reductions: { k: "mean" } },
      "invalid_declaration",
      "/reductions/k",
      "/reductions/k must be equal to one of the allowed values (sum, max, min, prod)",
    ],
    [
      "unknown field",
      { colour: "red" },
      "invalid_declaration",
      "/colour",
      "unknown field 'colour' in the declaration",
    ],
    [
      "projection of the wrong type",
      { projections: { a: 3, v: "[k]", out: "[i]" } },
      "invalid_declaration",
      "/projections/a",
      "/projections/a must be string or object",
    ],
    [
      "syntax error",
      { index: "[i: $m, k: $k" },
      "syntax_error",
      "/index",
      "column 14: expected ']' but found end of input in `[i: $m, k: $k`",
    ],
    [
      "unknown dtype variable",
      { outputs: [{ name: "out", shape: "[$m]", dtype: "U" }] },
      "invalid_declaration",
      "/outputs/0/dtype",
      "unknown dtype variable U (declared: T; dtypes: float32, float64, int32)",
    ],
    [
      "dtype variable shadowing a dtype",
      { dtypes: { float32: ["float64"], T: ["float64"] } },
      "invalid_declaration",
      "/dtypes/float32",
      "dtype variable float32 shadows the dtype float32",
    ],
    [
      "output dtype no input binds",
      { dtypes: { T: ["float64"], U: ["float64"] }, outputs: [{ name: "out", shape: "[$m]", dtype: "U" }] },
      "invalid_declaration",
      "/outputs/0/dtype",
      "output out has dtype U, which no input binds",
    ],
    [
      "duplicate operand name",
      { outputs: [{ name: "a", shape: "[$m]", dtype: "T" }], projections: { a: "[i, k]", v: "[k]" } },
      "invalid_declaration",
      "/outputs/0/name",
      "operand name a is used twice",
    ],
    [
      "unbound size in an output",
      { outputs: [{ name: "out", shape: "[$q]", dtype: "T" }] },
      "unbound_variable",
      "/outputs/0/shape",
      "$q is not bound by a plain $q dimension of this or an earlier input",
    ],
    [
      "size bound only by a later input",
      {
        inputs: [
          { name: "a", shape: "[$m, $k * 2]", dtype: "T" },
          { name: "v", shape: "[$k]", dtype: "T" },
        ],
      },
      "unbound_variable",
      "/inputs/0/shape",
      "$k is not bound by a plain $k dimension of this or an earlier input",
    ],
    [
      "unbound size in the index space",
      { index: "[i: $m, k: $k, z: $z]" },
      "unbound_variable",
      "/index",
      "$z is not bound by a plain $z dimension of this or an earlier input",
    ],
    [
      "undeclared param",
      { index: "[i: $m, k: $k + @nope]" },
      "unbound_variable",
      "/index",
      "@nope is not a declared param",
    ],
    [
      "float param in an integer expression",
      { projections: { a: "[i, k + @alpha]", v: "[k]", out: "[i]" } },
      "invalid_param",
      "/projections/a",
      "@alpha is a float param, but this use needs an int",
    ],
    [
      "bad param default",
      { params: { shift: { type: "int", default: 1.5 } } },
      "invalid_param",
      "/params/shift/default",
      "param shift is declared int but its default is 1.5",
    ],
    [
      "unknown index variable",
      { projections: { a: "[i, q]", v: "[k]", out: "[i]" } },
      "unbound_variable",
      "/projections/a",
      "index variable q is not declared in [i: $m, k: $k]",
    ],
    [
      "projection not affine",
      { projections: { a: "[i, k * i]", v: "[k]", out: "[i]" } },
      "not_affine",
      "/projections/a",
      "k * i is not affine in the index variables: k * i multiplies two index-dependent terms",
    ],
    [
      "projection rank ≠ operand rank",
      { projections: { a: "[i]", v: "[k]", out: "[i]" } },
      "rank_mismatch",
      "/projections/a",
      "projection [i] has rank 1 but input a has rank 2 ([$m, $k])",
    ],
    [
      "missing projection",
      { projections: { a: "[i, k]", out: "[i]" } },
      "invalid_declaration",
      "/projections",
      "input v has no projection",
    ],
    [
      "projection of a non-operand",
      { projections: { a: "[i, k]", v: "[k]", out: "[i]", w: "[i]" } },
      "invalid_declaration",
      "/projections/w",
      "projection for 'w', which is not an operand",
    ],
    [
      "reduction that is not an index variable",
      { reductions: { k: "sum", j: "sum" } },
      "invalid_declaration",
      "/reductions/j",
      "reduction j is not an index variable or group of [i: $m, k: $k]",
    ],
    [
      "output depending on a reduction",
      {
        outputs: [{ name: "out", shape: "[$m, $k]", dtype: "T" }],
        projections: { a: "[i, k]", v: "[k]", out: "[i, k]" },
      },
      "invalid_declaration",
      "/projections/out",
      "output out depends on reduction dimension k; an output may use only non-reduction dimensions",
    ],
    [
      "output missing a non-reduction dimension",
      { reductions: {} },
      "invalid_declaration",
      "/projections/out",
      "output out does not depend on index dimension k, which is not a reduction: several index points would write one element",
    ],
    [
      "compute reading a non-input",
      { compute: "a * w" },
      "unbound_variable",
      "/compute",
      "compute reads w, which is not an input (inputs: a, v)",
    ],
    [
      "compute with a syntax error",
      { compute: "a * (v" },
      "syntax_error",
      "/compute",
      "column 7: expected ')' but found end of input in `a * (v`",
    ],
    [
      "compute with two monoids",
      { index: "[i: $m, k: $k, j: 2]", reductions: { k: "sum", j: "max" } },
      "invalid_declaration",
      "/reductions",
      "a compute body folds all reductions with one monoid, found sum, max",
    ],
    [
      "compute with a box projection",
      { projections: { a: { start: "[i, k]", shape: "[1, 1]" }, v: "[k]", out: "[i]" } },
      "invalid_declaration",
      "/projections/a",
      "a compute body reads and writes one element per index point, but a has a box projection",
    ],
  ];

  test.each(cases)("%s", (_, patch, code, path, summary) => {
    const json = { ...MATVEC, ...patch };
    expect(issuesOf(json)).toContainEqual({ code, path, summary });
    // compileDeclaration reports the same issues, all at once, in one ValidationError.
    // The cast is the point: these declarations are deliberately not well-typed.
    expect(validationErrorOf(() => compileDeclaration(json as KernelDeclaration)).codes).toContain(code);
  });

  test("a declaration without compute has a signature but no implementation", () => {
    const { compute: _, ...signatureOnly } = MATVEC;
    expect(compileDeclaration(signatureOnly).id).toBe("matvec");
    let code: string | undefined;
    try {
      declaredKernel(signatureOnly);
    } catch (error) {
      if (isTesseraError(error)) code = error.code;
    }
    expect(code).toBe("invalid_declaration");
  });
});

describe("text that does not parse is one invalid_json issue", () => {
  test.each([
    ["yaml", "version: 1\ninputs: [ { name: x\n", "kernel declaration is not valid YAML: "],
    ["json", '{ "version": 1, ', "kernel declaration is not valid JSON: "],
  ] as const)("%s", (format, text, prefix) => {
    const error = validationErrorOf(() => loadKernelDeclaration(text, format));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.code).toBe("invalid_json");
    expect(error.issues[0]!.summary.startsWith(prefix)).toBe(true);
  });
});

describe("invalid fixture files name the codes they must produce", () => {
  const files = readdirSync(INVALID).filter((f) => /\.(ya?ml|json)$/.test(f));

  test("there are some", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  test.each(files)("%s", (file) => {
    const path = new URL(file, INVALID).pathname;
    const header = /^# expect: (.+)$/m.exec(readFileSync(path, "utf8"));
    expect(header, `${file} needs a '# expect: code, ...' line`).not.toBeNull();
    const expected = header![1]!.split(",").map((s) => s.trim());
    const codes = validationErrorOf(() => loadKernelDeclarationFile(path)).codes;
    expect([...codes].sort()).toEqual([...expected].sort());
  });
});

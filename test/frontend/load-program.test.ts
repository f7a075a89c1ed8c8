import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TesseraError, ValidationError } from "../../src/base/errors.js";
import { jsonErrorOffset } from "../../src/base/json-error-offset.js";
import { loadProgramFile, parseDocumentText, readDocumentFile } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { thrown } from "../support/thrown.js";

const TINY_MLP = fileURLToPath(new URL("../fixtures/frontend/tiny-mlp.yaml", import.meta.url));

describe("parseDocumentText", () => {
  it("parses JSON text (leading whitespace allowed)", () => {
    expect(parseDocumentText('  \n{"a": [1, 2.5, "x"], "b": null}')).toEqual({ a: [1, 2.5, "x"], b: null });
    expect(parseDocumentText("[true, false]")).toEqual([true, false]);
  });

  it("parses YAML text, block and flow style", () => {
    expect(parseDocumentText("a:\n  - 1\n  - 2\nb: { c: x }\n")).toEqual({ a: [1, 2], b: { c: "x" } });
  });

  // Each text is not JSON at the marked line and column (1-based).
  const jsonErrors = [
    { text: '{\n  "a": 1,\n  "b": }', line: 3, column: 8, what: "a missing value" },
    { text: "[1, 2,]", line: 1, column: 7, what: "a trailing comma in an array" },
    { text: '{\n "a": 1,\n}', line: 3, column: 1, what: "a trailing comma in an object" },
    { text: '{"a": [1, 2', line: 1, column: 12, what: "text that ends too early" },
    { text: '{"a": tru}', line: 1, column: 10, what: "a misspelt literal" },
    { text: '{"a": 1} x', line: 1, column: 10, what: "text after the document" },
    { text: "{'a': 1}", line: 1, column: 2, what: "a single-quoted key" },
  ];

  it.each(jsonErrors)("a JSON syntax error ($what) is invalid_json at line $line, column $column", (c) => {
    const error = thrown(() => parseDocumentText(c.text, "prog.json"));
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({
      code: "invalid_json",
      context: { source: "prog.json", line: c.line, column: c.column },
    });
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^prog\\.json:${c.line}:${c.column}: not valid JSON: `));
    expect(message).not.toContain("\n");
  });

  it("a YAML syntax error is invalid_json with line and column", () => {
    const error = thrown(() => parseDocumentText("a: [1, 2\nb: 3\n", "prog.yaml"));
    expect(error).toMatchObject({
      code: "invalid_json",
      context: { source: "prog.yaml", line: 2, column: 1 },
    });
    expect((error as Error).message).toMatch(/^prog\.yaml:2:1: /);
  });

  it("duplicate YAML keys are a syntax error, not a silent overwrite", () => {
    expect(thrown(() => parseDocumentText("a: 1\na: 2\n"))).toMatchObject({
      code: "invalid_json",
      context: { line: 2, column: 1 },
    });
  });

  it("property: any text JSON.parse rejects gets a line and column inside the text", () => {
    const token = fc.constantFrom(
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      '"a"',
      "1",
      "0",
      "-",
      ".",
      "e",
      "tru",
      "null",
      " ",
      "\n",
      "x",
      '"',
    );
    const text = fc
      .tuple(fc.constantFrom("{", "["), fc.array(token, { maxLength: 12 }))
      .map(([open, tokens]) => open + tokens.join(""));
    fc.assert(
      fc.property(text, (t) => {
        let reported: string | undefined;
        try {
          JSON.parse(t);
        } catch (e: unknown) {
          reported = e instanceof Error ? e.message : String(e);
        }
        if (reported === undefined) {
          expect(parseDocumentText(t)).toEqual(JSON.parse(t));
          return;
        }
        // Where V8 does name a position, the scanner finds the same one.
        const position = / at position (\d+)/.exec(reported)?.[1];
        if (position !== undefined) expect(jsonErrorOffset(t)).toBe(Number(position));
        const error = thrown(() => parseDocumentText(t)) as TesseraError;
        const { line, column } = error.context as { line: number; column: number };
        const lines = t.split("\n");
        expect(line).toBeGreaterThanOrEqual(1);
        expect(line).toBeLessThanOrEqual(lines.length);
        expect(column).toBeLessThanOrEqual(lines[line - 1]!.length + 1);
      }),
      { numRuns: 3000 },
    );
  });

  it("property: the position scanner accepts every JSON text", () => {
    fc.assert(
      fc.property(fc.json(), (t) => {
        expect(jsonErrorOffset(t)).toBeUndefined();
      }),
    );
  });
});

describe("readDocumentFile and loadProgramFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-load-"));

  it("a missing file is file_not_found naming the path and the reason in words", () => {
    const missing = join(dir, "nope.json");
    const error = thrown(() => readDocumentFile(missing));
    expect(error).toMatchObject({ code: "file_not_found", context: { path: missing, reason: "ENOENT" } });
    expect((error as Error).message).toBe(`cannot read ${missing}: no such file`);
  });

  it("a syntax error in a file names the file, line and column", () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, '{\n  "version": 1,\n}\n');
    expect(thrown(() => loadProgramFile(file, builtinRegistry()))).toMatchObject({
      code: "invalid_json",
      context: { source: file, line: 3, column: 1 },
    });
  });

  it("a YAML program loads through the same validation as the builder", () => {
    const prog = loadProgramFile(TINY_MLP, builtinRegistry());
    expect(prog.operations.map((o) => o.kernel)).toEqual(["linear", "relu", "sum"]);
  });

  it("a YAML program with a semantic error is a ValidationError listing issues with paths", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      [
        "version: 1",
        "kind: program",
        "tensors: [{ id: x, dtype: float32, range: { start: [0], end: [2] } }]",
        "operations: []",
        "inputs: [x]",
        "outputs: [y]",
      ].join("\n"),
    );
    const error = thrown(() => loadProgramFile(file, builtinRegistry()));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      expect.objectContaining({ code: "unknown_tensor", path: "/outputs/0", context: { tensor: "y" } }),
    ]);
  });
});

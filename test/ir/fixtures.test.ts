// The program validator's contract as data, in MLIR's expected-error style.
//
// - test/fixtures/ir/valid/*.json are plain program documents (so `tessera validate` reads them
//   too): each validates with no issues and round-trips through `programToJson` unchanged.
// - test/fixtures/ir/invalid/<code>.json wrap a program: `{ description, expectedCodes,
//   kernels?, program }`, `kernels` being declaration files to register (relative to the
//   fixture). Each yields exactly its expected codes, one file per code.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Issue, type IssueCode, isIssueCode, isJsonObject } from "../../src/base/index.js";
import { parseProgram, programToJson, validateProgram } from "../../src/ir/index.js";
import { loadKernelDeclarationFile } from "../../src/kernels/declaration/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { extendRegistry, type KernelRegistry } from "../../src/kernels/registry.js";
import { specifyInvalidFixture } from "../support/invalid-fixture-spec.js";
import { resolvePointer } from "./json-pointer.js";

const VALID = new URL("../fixtures/ir/valid/", import.meta.url);
const INVALID = new URL("../fixtures/ir/invalid/", import.meta.url);

/** An invalid fixture, read and checked, with the registry its `kernels` make. */
interface InvalidFixture {
  readonly code: string;
  readonly description: string;
  readonly expectedCodes: readonly IssueCode[];
  readonly program: unknown;
  readonly registry: KernelRegistry;
}

function jsonFiles(dir: URL): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
}

function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, "utf8"));
}

function readInvalid(file: string): InvalidFixture {
  const url = new URL(file, INVALID);
  const raw = readJson(url);
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
  if (
    !isJsonObject(raw) ||
    typeof raw.description !== "string" ||
    raw.description.length === 0 ||
    !strings(raw.expectedCodes) ||
    raw.expectedCodes.length === 0 ||
    !(raw.kernels === undefined || strings(raw.kernels)) ||
    !("program" in raw)
  ) {
    throw new Error(
      `${file}: expected { description, expectedCodes: [code, ...], kernels?: [path], program }`,
    );
  }
  const unknown = raw.expectedCodes.filter((c) => !isIssueCode(c));
  if (unknown.length > 0) throw new Error(`${file}: unregistered codes ${unknown.join(", ")}`);
  const kernels = (raw.kernels ?? []).map((k) => loadKernelDeclarationFile(fileURLToPath(new URL(k, url))));
  return {
    code: file.replace(/\.json$/, ""),
    description: raw.description,
    expectedCodes: raw.expectedCodes.filter(isIssueCode),
    program: raw.program,
    registry: extendRegistry(builtinRegistry(), kernels),
  };
}

/**
 * What an issue's summary must mention to name something concrete. Inside a tensor or an
 * operation: its id in quotes (`'fc1'`). Elsewhere: the offending value, or the quoted ids of
 * the nodes the path lists (a cycle at `/operations`). A schema issue may name its path instead,
 * since ids are not trusted before the schema holds.
 */
function concreteMentions(doc: unknown, issue: Issue): string[] {
  const mentions: string[] = [];
  if (issue.code === "schema_violation" || issue.code === "unsupported_version") mentions.push(issue.path);
  const [top, index] = issue.path.split("/").slice(1);
  if ((top === "tensors" || top === "operations") && index !== undefined) {
    const node = resolvePointer(doc, `/${top}/${index}`);
    if (node.found && isJsonObject(node.value) && typeof node.value.id === "string") {
      return [...mentions, `'${node.value.id}'`];
    }
  }
  const at = resolvePointer(doc, issue.path);
  if (at.found && (typeof at.value === "string" || typeof at.value === "number"))
    mentions.push(String(at.value));
  if (at.found && Array.isArray(at.value)) {
    for (const item of at.value) {
      if (isJsonObject(item) && typeof item.id === "string") mentions.push(`'${item.id}'`);
    }
  }
  return mentions;
}

/** The codes listed under `// <section>:` in src/base/codes.ts, up to the next section. */
function codesOfSection(section: string): string[] {
  const lines = readFileSync(new URL("../../src/base/codes.ts", import.meta.url), "utf8").split("\n");
  const start = lines.findIndex((l) => l.trim().startsWith(`// ${section}:`));
  if (start < 0) throw new Error(`src/base/codes.ts has no '// ${section}:' section`);
  const codes: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith("//") || line.trim().startsWith("}")) break;
    const key = /^ {2}([a-z_]+):/.exec(line)?.[1];
    if (key !== undefined) codes.push(key);
  }
  return codes;
}

describe.each(jsonFiles(VALID))("valid/%s", (file) => {
  const json = readJson(new URL(file, VALID));

  it("validates with no issues", () => {
    expect(validateProgram(json, builtinRegistry()).issues).toEqual([]);
  });

  it("round-trips: programToJson(validate(json)) is json", () => {
    const { program } = validateProgram(json, builtinRegistry());
    expect(programToJson(program!)).toStrictEqual(json);
  });
});

describe.each(jsonFiles(INVALID))("invalid/%s", (file) => {
  const fixture = readInvalid(file);
  specifyInvalidFixture({
    code: fixture.code,
    expectedCodes: fixture.expectedCodes,
    document: fixture.program,
    validate: () => {
      const { program, issues } = validateProgram(fixture.program, fixture.registry);
      return { issues, produced: program !== undefined };
    },
    parse: () => parseProgram(fixture.program, fixture.registry),
    mentions: concreteMentions,
  });
});

describe("the invalid fixtures cover the codes", () => {
  const covered = new Set(jsonFiles(INVALID).map((f) => f.replace(/\.json$/, "")));

  it("of every code in the 'ir' section of src/base/codes.ts, so a new code needs a fixture", () => {
    const ir = codesOfSection("ir");
    expect(ir).toContain("schema_violation");
    expect(ir.filter((c) => !covered.has(c))).toEqual([]);
  });

  it("of the codes validation raises through kernels and Z-space decoding", () => {
    const borrowed = [
      "unknown_kernel",
      "unknown_operand",
      "invalid_param",
      "shape_mismatch",
      "dtype_mismatch",
      "pattern_mismatch",
      "negative_extent",
      "division_by_zero",
      "end_before_start",
      "rank_mismatch",
      "not_integer",
      "ragged_matrix",
    ];
    expect(borrowed.filter((c) => !covered.has(c))).toEqual([]);
  });
});

describe("resolvePointer, the resolver the path checks use", () => {
  const doc = { a: [{ "b/c": 1, "d~e": [true] }], "": 0 };

  it.each([
    ["", doc],
    ["/a/0/b~1c", 1],
    ["/a/0/d~0e/0", true],
    ["/", 0],
  ])("finds %j", (path, value) => {
    expect(resolvePointer(doc, path)).toEqual({ found: true, value });
  });

  it.each(["/a/1", "/a/00", "/a/-", "/a/0/b", "a", "/x"])("does not find %j", (path) => {
    expect(resolvePointer(doc, path)).toEqual({ found: false });
  });
});

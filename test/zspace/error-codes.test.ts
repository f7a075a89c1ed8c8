// One row per way the base and zspace layers report an error: the code, and for validation
// issues the JSON pointer of the offending value. A scan of the sources keeps the table complete.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  allocate,
  checkSchema,
  ISSUE_CODES,
  type IssueCode,
  parseDocumentText,
  readTextFile,
  throwIfIssues,
  writeTextFile,
} from "../../src/base/index.js";
import { IndexProjection, ZAffineMap, ZPoint, ZRange } from "../../src/zspace/index.js";
import { expectIssues, expectTesseraError } from "./expect-error.js";

const MAX = Number.MAX_SAFE_INTEGER;

/** A decoding failure: the issue it must produce, with its path. */
interface IssueRow {
  readonly rule: string;
  readonly code: IssueCode;
  readonly path: string;
  readonly run: () => unknown;
}

/** A failure thrown directly as a `TesseraError` (no document, so no path), with its context. */
interface ThrowRow {
  readonly rule: string;
  readonly code: IssueCode;
  readonly context: Record<string, unknown>;
  readonly run: () => unknown;
}

const issueRows: IssueRow[] = [
  { rule: "a point must be an array", code: "expected_array", path: "", run: () => ZPoint.fromJSON({}) },
  {
    rule: "a range's start must be an array",
    code: "expected_array",
    path: "/start",
    run: () => ZRange.fromJSON({ start: 3, end: [1] }),
  },
  {
    rule: "a matrix must be an array",
    code: "expected_array",
    path: "/matrix",
    run: () => ZAffineMap.fromJSON({ matrix: "1" }),
  },
  {
    rule: "a matrix row must be an array",
    code: "expected_array",
    path: "/matrix/0",
    run: () => ZAffineMap.fromJSON({ matrix: [5] }),
  },
  {
    rule: "a range must be an object",
    code: "expected_object",
    path: "",
    run: () => ZRange.fromJSON([0, 1]),
  },
  {
    rule: "an affine map must be an object",
    code: "expected_object",
    path: "",
    run: () => ZAffineMap.fromJSON(null),
  },
  {
    rule: "a projection's map must be an object",
    code: "expected_object",
    path: "/map",
    run: () => IndexProjection.fromJSON({ map: [], shape: [] }),
  },
  {
    rule: "a range needs end",
    code: "missing_field",
    path: "/end",
    run: () => ZRange.fromJSON({ start: [0] }),
  },
  {
    rule: "an affine map needs matrix",
    code: "missing_field",
    path: "/matrix",
    run: () => ZAffineMap.fromJSON({ offset: [] }),
  },
  {
    rule: "a matrix with no rows needs inRank",
    code: "missing_field",
    path: "/inRank",
    run: () => ZAffineMap.fromJSON({ matrix: [] }),
  },
  {
    rule: "an index projection needs shape",
    code: "missing_field",
    path: "/shape",
    run: () => IndexProjection.fromJSON({ map: { matrix: [[1]] } }),
  },
  {
    rule: "a coordinate must be an integer",
    code: "not_integer",
    path: "/start/1",
    run: () => ZRange.fromJSON({ start: [0, 0.5], end: [1, 2] }),
  },
  {
    rule: "a coordinate must be within ±(2^53 - 1)",
    code: "not_integer",
    path: "/0",
    run: () => ZPoint.fromJSON([2 ** 53]),
  },
  {
    rule: "a coordinate must be a number",
    code: "not_integer",
    path: "/2",
    run: () => ZPoint.fromJSON([1, 2, "3"]),
  },
  {
    rule: "a matrix entry must be an integer",
    code: "not_integer",
    path: "/matrix/0/1",
    run: () => ZAffineMap.fromJSON({ matrix: [[1, 0.5]] }),
  },
  {
    rule: "inRank must be a number",
    code: "not_integer",
    path: "/inRank",
    run: () => ZAffineMap.fromJSON({ matrix: [], inRank: "2" }),
  },
  {
    rule: "inRank must be a non-negative integer",
    code: "not_integer",
    path: "/inRank",
    run: () => ZAffineMap.fromJSON({ matrix: [], inRank: 1.5 }),
  },
  {
    rule: "start and end must have one rank",
    code: "rank_mismatch",
    path: "/end",
    run: () => ZRange.fromJSON({ start: [0], end: [1, 2] }),
  },
  {
    rule: "the offset needs one entry per row",
    code: "rank_mismatch",
    path: "/offset",
    run: () => ZAffineMap.fromJSON({ matrix: [[1]], offset: [0, 0] }),
  },
  {
    rule: "a projection's shape must have the map's output rank",
    code: "rank_mismatch",
    path: "/shape",
    run: () => IndexProjection.fromJSON({ map: { matrix: [[1]] }, shape: [1, 1] }),
  },
  {
    rule: "matrix rows must all have one length",
    code: "ragged_matrix",
    path: "/matrix/1",
    run: () => ZAffineMap.fromJSON({ matrix: [[1, 0], [1]] }),
  },
  {
    rule: "a range may not end before it starts",
    code: "end_before_start",
    path: "/end/1",
    run: () => ZRange.fromJSON({ start: [0, 4], end: [1, 2] }),
  },
  {
    rule: "a projection's shape extents may not be negative",
    code: "negative_extent",
    path: "/shape/0",
    run: () => IndexProjection.fromJSON({ map: { matrix: [[1]] }, shape: [-1] }),
  },
];

const throwRows: readonly ThrowRow[] = [
  {
    rule: "a coordinate must be a safe integer",
    code: "not_integer",
    context: { dim: 0, found: 2 ** 53 },
    run: () => ZPoint.of(2 ** 53),
  },
  {
    rule: "NaN is reported as a string",
    code: "not_integer",
    context: { dim: 0, found: "NaN" },
    run: () => ZPoint.of(Number.NaN),
  },
  {
    rule: "elementwise operations need one rank",
    code: "rank_mismatch",
    context: { op: "add", expected: 1, found: 2 },
    run: () => ZPoint.of(1).add(ZPoint.of(1, 2)),
  },
  {
    rule: "a map applies to points of its input rank",
    code: "rank_mismatch",
    context: { op: "apply", expected: 2, found: 3 },
    run: () => ZAffineMap.identity(2).apply(ZPoint.of(1, 2, 3)),
  },
  {
    rule: "a projection's shape must have the map's output rank",
    code: "rank_mismatch",
    context: { expected: 1, found: 2 },
    run: () => IndexProjection.of(ZAffineMap.identity(1), [1, 1]),
  },
  {
    rule: "a range may not end before it starts",
    code: "end_before_start",
    context: { dim: 0, start: 3, end: 2 },
    run: () => ZRange.fromBounds([3], [2]),
  },
  {
    rule: "a shape may not have a negative extent",
    code: "negative_extent",
    context: { dim: 0, found: -1 },
    run: () => ZRange.fromShape([-1]),
  },
  {
    rule: "arithmetic may not leave the safe-integer range",
    code: "coordinate_overflow",
    context: { what: "add coordinate 0", value: MAX + 1 },
    run: () => ZPoint.of(MAX).add(ZPoint.of(1)),
  },
  {
    rule: "a dimension index must be in [0, rank)",
    code: "dimension_out_of_bounds",
    context: { dim: 1, rank: 1 },
    run: () => ZPoint.of(1).at(1),
  },
  {
    rule: "only existing dimensions can be split",
    code: "dimension_out_of_bounds",
    context: { dim: 2, rank: 2 },
    run: () => ZRange.fromShape([4, 4]).splitDim(2, 2),
  },
  {
    rule: "a projection selects existing input dimensions",
    code: "dimension_out_of_bounds",
    context: { output: 0, dim: 2, rank: 2 },
    run: () => ZAffineMap.projection([2], 2),
  },
  {
    rule: "a dimension of size n splits into at most n parts",
    code: "invalid_split",
    context: { dim: 0, parts: 5, size: 4 },
    run: () => ZRange.fromShape([4]).splitDim(0, 5),
  },
  {
    rule: "a permutation lists 0..n-1 once each",
    code: "not_a_permutation",
    context: { found: [0, 0] },
    run: () => ZAffineMap.permutation([0, 0]),
  },
  {
    rule: "a document that does not parse names its source, line and column",
    code: "invalid_json",
    context: { source: "doc.json", line: 1, column: 7 },
    run: () => parseDocumentText('{"a": ]', "doc.json"),
  },
  {
    rule: "JSON nested deeper than the limit names where, before any recursive walk",
    code: "nesting_too_deep",
    context: { source: "doc.json", limit: 256, line: 1, column: 257 },
    run: () => parseDocumentText(`${"[".repeat(5000)}${"]".repeat(5000)}`, "doc.json"),
  },
  {
    rule: "YAML nested deeper than the limit",
    code: "nesting_too_deep",
    context: { source: "doc.yaml", limit: 256 },
    run: () => parseDocumentText(`a: ${"[".repeat(5000)}${"]".repeat(5000)}`, "doc.yaml"),
  },
  {
    rule: "a YAML alias to no anchor is a malformed document",
    code: "invalid_json",
    context: { source: "doc.yaml" },
    run: () => parseDocumentText("version: *nope", "doc.yaml"),
  },
  {
    rule: "a YAML alias bomb is refused",
    code: "invalid_json",
    context: { source: "doc.yaml" },
    run: () =>
      parseDocumentText(
        ["a: &a [x, x, x, x, x, x, x, x, x]", ..."bcdefghi"]
          .map((k, i) =>
            i === 0
              ? k
              : `${k}: &${k} [${Array(9)
                  .fill(`*${"abcdefghi"[i - 1]}`)
                  .join(", ")}]`,
          )
          .join("\n"),
        "doc.yaml",
      ),
  },
  {
    rule: "a tensor over the size limit is refused before allocating",
    code: "limit_exceeded",
    context: { dtype: "float32", elements: 2 ** 40, bytes: 2 ** 42, limit: 2 ** 32 },
    run: () => allocate("float32", 2 ** 40),
  },
  {
    rule: "a file that does not exist names its path and the reason",
    code: "file_not_found",
    context: { path: "/nonexistent/doc.json", reason: "ENOENT" },
    run: () => readTextFile("/nonexistent/doc.json"),
  },
  {
    rule: "only regular files are read (a device like /dev/zero would never end)",
    code: "read_failed",
    context: { path: "/dev/zero", reason: "not_regular" },
    run: () => readTextFile("/dev/zero"),
  },
  {
    rule: "a file that cannot be written names its path and the reason",
    code: "write_failed",
    context: { path: "/nonexistent/out.json", reason: "ENOENT" },
    run: () => writeTextFile("/nonexistent/out.json", "{}", { createFolder: false }),
  },
];

issueRows.push(
  {
    rule: "a document must match its JSON Schema",
    code: "schema_violation",
    path: "/tensors",
    run: () => throwIfIssues(checkSchema("tensors", { version: 1, kind: "tensors", tensors: [] })),
  },
  {
    rule: "a document's version must be one this Tessera reads",
    code: "unsupported_version",
    path: "/version",
    run: () => throwIfIssues(checkSchema("tensors", { version: 9, kind: "tensors", tensors: {} })),
  },
);

describe("every validation issue carries its code and the JSON pointer of the bad value", () => {
  it.each(issueRows.map((row) => [row.rule, row.code, row.path, row] as const))(
    "%s: %s at %j",
    (_rule, code, path, row) => {
      const [issue] = expectIssues(row.run, [{ code, path }]);
      expect(issue!.summary.length).toBeGreaterThan(0);
      expect(issue!.summary).not.toContain("\n");
    },
  );
});

describe("every error thrown directly carries its code and structured context", () => {
  it.each(throwRows.map((row) => [row.rule, row.code, row] as const))("%s: %s", (_rule, code, row) => {
    const error = expectTesseraError(row.run, code);
    expect(error.context).toEqual(row.context);
    expect(error.summary).not.toContain("\n");
  });
});

/** Issue codes written as string literals in the sources of `src/<layer>` (the registry excluded). */
function codesUsedIn(layer: string): Set<string> {
  const dir = fileURLToPath(new URL(`../../src/${layer}/`, import.meta.url));
  const used = new Set<string>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".ts") || file === "codes.ts") continue;
    const text = readFileSync(dir + file, "utf8");
    for (const m of text.matchAll(/"([a-z_]+)"/g)) if (Object.hasOwn(ISSUE_CODES, m[1]!)) used.add(m[1]!);
  }
  return used;
}

describe("the tables above cover every code the base and zspace layers can raise", () => {
  const tested = new Set<string>([...issueRows, ...throwRows].map((row) => row.code));

  it("covers the codes named in the brief", () => {
    const expected = [
      "not_integer",
      "rank_mismatch",
      "ragged_matrix",
      "end_before_start",
      "negative_extent",
      "coordinate_overflow",
      "dimension_out_of_bounds",
      "invalid_split",
      "not_a_permutation",
      "expected_array",
      "expected_object",
      "missing_field",
    ];
    for (const code of expected) expect(tested, code).toContain(code);
  });

  it("covers every code literal found in src/base and src/zspace", () => {
    const used = new Set([...codesUsedIn("base"), ...codesUsedIn("zspace")]);
    expect(used.size).toBeGreaterThanOrEqual(12);
    for (const code of used) expect(tested, `no table row raises ${code}`).toContain(code);
  });
});

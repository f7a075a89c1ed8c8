import { describe, expect, it } from "vitest";
import {
  errorToJson,
  ISSUE_CODES,
  IssueCollector,
  isIssueCode,
  isJsonObject,
  issue,
  isTesseraError,
  pointer,
  renderError,
  renderIssues,
  TesseraError,
  throwIfIssues,
  ValidationError,
} from "../../src/base/index.js";

const endIssue = issue(
  "end_before_start",
  "/range/end/1",
  "range ends before it starts in dimension 1: start 4, end 2",
  {
    dim: 1,
    start: 4,
    end: 2,
  },
);
const missingIssue = issue("missing_field", "/range/start", "a range needs `start`");

describe("the issue code registry", () => {
  it("has only snake_case keys", () => {
    for (const code of Object.keys(ISSUE_CODES)) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it("describes every code in one non-empty line", () => {
    for (const text of Object.values(ISSUE_CODES)) {
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain("\n");
    }
  });

  it("isIssueCode accepts registered codes only, not inherited property names", () => {
    expect(isIssueCode("end_before_start")).toBe(true);
    expect(isIssueCode("validation_failed")).toBe(false);
    expect(isIssueCode("toString")).toBe(false);
    expect(isIssueCode("")).toBe(false);
  });
});

describe("TesseraError", () => {
  it("is an Error with a stable code, a one-line summary and structured context", () => {
    const e = new TesseraError("invalid_split", "dimension 1 is split into 7 parts", { dim: 1 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("TesseraError");
    expect(e.code).toBe("invalid_split");
    expect(e.summary).toBe("dimension 1 is split into 7 parts");
    expect(e.message).toBe(e.summary);
    expect(e.context).toEqual({ dim: 1 });
  });

  it("defaults the context to empty", () => {
    expect(new TesseraError("unshardable", "no").context).toEqual({});
  });

  it("isTesseraError tells deliberate errors from bugs", () => {
    expect(isTesseraError(new TesseraError("unshardable", "no"))).toBe(true);
    expect(isTesseraError(new ValidationError([missingIssue]))).toBe(true);
    expect(isTesseraError(new Error("bug"))).toBe(false);
    expect(isTesseraError("unshardable")).toBe(false);
  });
});

describe("ValidationError", () => {
  it("carries every issue, with code validation_failed and the issue count as context", () => {
    const e = new ValidationError([endIssue, missingIssue], "range");
    expect(e).toBeInstanceOf(TesseraError);
    expect(e.name).toBe("ValidationError");
    expect(e.code).toBe("validation_failed");
    expect(e.issues).toEqual([endIssue, missingIssue]);
    expect(e.context).toEqual({ count: 2 });
  });

  it("summarizes one issue by its summary and several by their count", () => {
    expect(new ValidationError([endIssue], "range").summary).toBe(`invalid range: ${endIssue.summary}`);
    expect(new ValidationError([endIssue, missingIssue], "range").summary).toBe("invalid range: 2 issues");
    expect(new ValidationError([endIssue]).summary).toMatch(/^invalid input: /);
  });

  it("lists the distinct codes in order of first appearance", () => {
    const e = new ValidationError([missingIssue, endIssue, missingIssue]);
    expect(e.codes).toEqual(["missing_field", "end_before_start"]);
  });

  it("throwIfIssues throws only when there are issues", () => {
    expect(() => throwIfIssues([])).not.toThrow();
    expect(() => throwIfIssues([endIssue], "range")).toThrow(ValidationError);
    expect(() => throwIfIssues([endIssue], "range")).toThrow(/^invalid range: /);
  });
});

describe("IssueCollector", () => {
  it("starts ok and empty", () => {
    const c = new IssueCollector();
    expect(c.ok).toBe(true);
    expect(c.issues).toEqual([]);
  });

  it("keeps issues in the order they were added, from add and addAll", () => {
    const c = new IssueCollector();
    c.add("missing_field", "/range/start", "a range needs `start`");
    c.addAll([endIssue]);
    c.add("not_integer", "/x/0", "expected a safe integer, found 1.5", { found: 1.5 });
    expect(c.ok).toBe(false);
    expect(c.issues.map((i) => i.code)).toEqual(["missing_field", "end_before_start", "not_integer"]);
    expect(c.issues[0]).toEqual(missingIssue);
    expect(c.issues[2]!.context).toEqual({ found: 1.5 });
  });

  it("addAll moves issues of a nested document under its pointer, keeping everything else", () => {
    const c = new IssueCollector();
    c.addAll([missingIssue, endIssue], "/program");
    expect(c.issues.map((i) => i.path)).toEqual([`/program${missingIssue.path}`, `/program${endIssue.path}`]);
    expect(c.issues.map((i) => ({ ...i, path: "" }))).toEqual(
      [missingIssue, endIssue].map((i) => ({ ...i, path: "" })),
    );
    // The pointer of a whole nested document (path "") is the pointer it is nested at.
    c.addAll([{ ...endIssue, path: "" }], "/front/0/plan");
    expect(c.issues[2]!.path).toBe("/front/0/plan");
  });

  it("issue() builds the plain data form with an empty default context", () => {
    expect(issue("missing_field", "/a", "needs a")).toEqual({
      code: "missing_field",
      path: "/a",
      summary: "needs a",
      context: {},
    });
  });
});

describe("JSON helpers", () => {
  it.each([
    ["", "end", "/end"],
    ["/range", 1, "/range/1"],
    ["/a", "b/c", "/a/b~1c"],
    ["/a", "m~n", "/a/m~0n"],
    ["", "~/", "/~0~1"],
  ])("pointer(%j, %j) is %j (RFC 6901 escaping)", (base, segment, expected) => {
    expect(pointer(base, segment)).toBe(expected);
  });

  it("isJsonObject accepts plain objects only", () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject([])).toBe(false);
    expect(isJsonObject(null)).toBe(false);
    expect(isJsonObject("x")).toBe(false);
  });
});

describe("rendering for people", () => {
  it("renderIssues shows each issue's code, path, summary and context", () => {
    const text = renderIssues([endIssue, missingIssue]);
    expect(text).toBe(
      [
        "error[end_before_start] at /range/end/1",
        "  range ends before it starts in dimension 1: start 4, end 2",
        "  context: dim=1, start=4, end=2",
        "error[missing_field] at /range/start",
        "  a range needs `start`",
      ].join("\n"),
    );
  });

  it("renderIssues names the root of the document (root) rather than an empty path", () => {
    expect(renderIssues([issue("expected_object", "", "expected a range")])).toContain(
      "error[expected_object] at (root)",
    );
  });

  it("renderIssues renders nothing for no issues", () => {
    expect(renderIssues([])).toBe("");
  });

  it("renderError of a ValidationError shows the summary, every issue and the count", () => {
    const text = renderError(new ValidationError([endIssue, missingIssue], "range"));
    expect(text.split("\n")[0]).toBe("invalid range: 2 issues");
    expect(text).toContain("error[end_before_start] at /range/end/1");
    expect(text).toContain("error[missing_field] at /range/start");
    expect(text.split("\n").at(-1)).toBe("2 issues found");
    expect(
      renderError(new ValidationError([endIssue]))
        .split("\n")
        .at(-1),
    ).toBe("1 issue found");
  });

  it("renderError of a plain TesseraError shows code, summary and context", () => {
    const e = new TesseraError(
      "invalid_split",
      "dimension 1 is split into 7 parts, but the dimension size is 6",
      {
        dim: 1,
        parts: 7,
        size: 6,
      },
    );
    expect(renderError(e)).toBe(
      "error[invalid_split] dimension 1 is split into 7 parts, but the dimension size is 6\n  context: dim=1, parts=7, size=6",
    );
    expect(renderError(new TesseraError("unshardable", "no"))).toBe("error[unshardable] no");
  });
});

describe("rendering for machines", () => {
  it("errorToJson gives code, summary, context and issues, and survives JSON text unchanged", () => {
    const e = new ValidationError([endIssue], "range");
    const json = errorToJson(e);
    expect(json).toEqual({
      code: "validation_failed",
      summary: e.summary,
      context: { count: 1 },
      issues: [endIssue],
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it("errorToJson of a plain TesseraError has no issues", () => {
    expect(errorToJson(new TesseraError("unshardable", "no", { op: "x" }))).toEqual({
      code: "unshardable",
      summary: "no",
      context: { op: "x" },
      issues: [],
    });
  });
});

import { expect, it } from "vitest";
import { type Issue, ValidationError } from "../../src/base/index.js";
import { resolvePointer } from "../ir/json-pointer.js";

/** An invalid fixture as the shared specification sees it. */
export interface InvalidFixtureCase {
  /** The code the file is named after. */
  readonly code: string;
  readonly expectedCodes: readonly string[];
  /** The document the issue paths point into. */
  readonly document: unknown;
  /** The issues validation reports, and whether it still produced a result (it must not). */
  readonly validate: () => { readonly issues: readonly Issue[]; readonly produced: boolean };
  /** The throwing entry point (`parseProgram`, `parsePlan`, ...). */
  readonly parse: () => unknown;
  /** What a summary must mention (any one) to name something concrete, per the format's rules. */
  readonly mentions: (document: unknown, issue: Issue) => string[];
}

/**
 * Registers the specification every invalid fixture must meet (MLIR expected-error style): it
 * yields exactly its codes and no result, every issue points at a node of the document and names
 * something concrete, and the throwing entry point throws a ValidationError with the same issues.
 */
export function specifyInvalidFixture(f: InvalidFixtureCase): void {
  const { issues, produced } = f.validate();

  it("is named after a code it expects (one file per code)", () => {
    expect(f.expectedCodes).toContain(f.code);
  });

  it("yields exactly its expected codes, and no result", () => {
    expect(produced).toBe(false);
    expect([...new Set(issues.map((i) => i.code))].sort()).toEqual([...new Set(f.expectedCodes)].sort());
  });

  it("points every issue at a node of the document", () => {
    for (const issue of issues) {
      expect(resolvePointer(f.document, issue.path), `${issue.code} at ${issue.path}`).toMatchObject({
        found: true,
      });
    }
  });

  it("names something concrete in every summary", () => {
    for (const issue of issues) {
      const mentions = f.mentions(f.document, issue);
      expect(
        mentions.some((m) => issue.summary.includes(m)),
        `"${issue.summary}" (${issue.code} at ${issue.path}) mentions none of ${mentions.join(", ")}`,
      ).toBe(true);
    }
  });

  it("makes the throwing entry point throw a ValidationError carrying the same issues", () => {
    let thrown: unknown;
    try {
      f.parse();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues).toEqual(issues);
  });
}

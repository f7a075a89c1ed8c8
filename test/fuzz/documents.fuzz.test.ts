/**
 * The fuzz suite over every document kind Tessera reads: structural mutations of a valid seed
 * of each kind (program, plan, cluster, tensor file, kernel declaration, search result), and
 * byte mutations of their text, must each end in a verdict (valid, or typed issues) or a
 * Tessera error — never an untyped exception or a hang. Cases that once failed are kept in
 * `fixtures/` and replayed. `TESSERA_DEEP=1` (npm run test:deep) runs many more cases.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocumentText, readDocumentFile } from "../../src/base/document-file.js";
import { isTesseraError } from "../../src/base/errors.js";
import { mulberry32 } from "../../src/base/random.js";
import { validateDocument } from "../../src/cli/validate-command.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { type Json, mutate } from "./mutate.js";

const deep = process.env.TESSERA_DEEP === "1";
const here = fileURLToPath(new URL(".", import.meta.url));
const registry = builtinRegistry();
const SEEDS = readdirSync(join(here, "seeds")).sort();

/** What validating `doc` ended in: "valid", "invalid" (typed issues) or "tessera-error"; throws anything else. */
function outcome(doc: unknown): string {
  try {
    const verdict = validateDocument(doc, registry, "fuzz");
    return "issues" in verdict && verdict.issues.length > 0 ? "invalid" : "valid";
  } catch (error: unknown) {
    if (isTesseraError(error)) return "tessera-error";
    throw error;
  }
}

/** Parses text as a document file would be, then validates it: a Tessera error or a verdict. */
function textOutcome(text: string): string {
  let doc: unknown;
  try {
    doc = parseDocumentText(text, "fuzz");
  } catch (error: unknown) {
    if (isTesseraError(error)) return "tessera-error";
    throw error;
  }
  return outcome(doc);
}

describe.each(SEEDS)("fuzzed %s", (seedFile) => {
  const seed = readDocumentFile(join(here, "seeds", seedFile)) as Json;
  const text = readFileSync(join(here, "seeds", seedFile), "utf8");

  it("the seed itself is valid", () => {
    expect(outcome(seed)).toBe("valid");
  });

  it("every structural mutation ends in a verdict or a typed error", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), (s, count) => {
        const doc = mutate(seed, mulberry32(s), count);
        expect(["valid", "invalid", "tessera-error"]).toContain(outcome(doc));
      }),
      { numRuns: deep ? 20_000 : 400 },
    );
  });

  it("every byte mutation of its text ends in a verdict or a typed error", () => {
    const edits = fc.array(
      fc.tuple(
        fc.nat(text.length),
        fc.nat(8),
        fc.constantFrom(
          "",
          "*a",
          "&a x",
          "{",
          "[",
          "]",
          "}",
          ":",
          "-",
          "\n",
          "  ",
          "'",
          '"',
          "\\u0000",
          "9e999",
          "!!js/function x",
        ),
      ),
      { minLength: 1, maxLength: 3 },
    );
    fc.assert(
      fc.property(edits, (es) => {
        let t = text;
        for (const [at, cut, insert] of es) t = t.slice(0, at) + insert + t.slice(at + cut);
        expect(["valid", "invalid", "tessera-error"]).toContain(textOutcome(t));
      }),
      { numRuns: deep ? 10_000 : 200 },
    );
  });
});

describe("fixtures: inputs that once crashed", () => {
  const fixtures = readdirSync(join(here, "fixtures")).filter((f) => f !== "README.md");
  it("are kept", () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });
  it.each(fixtures)("%s ends in a verdict or a typed error", (file) => {
    expect(["invalid", "tessera-error"]).toContain(
      textOutcome(readFileSync(join(here, "fixtures", file), "utf8")),
    );
  });
});

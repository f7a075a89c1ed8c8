import { describe, expect, it } from "vitest";
import { parseDocumentText } from "../../src/base/document-file.js";

describe("parseDocumentText on YAML", () => {
  it("reads an unknown tag (!!js/function) as plain data, without a Node process warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      expect(parseDocumentText("kind: !!js/function program\nversion: 1\n", "doc.yaml")).toEqual({
        kind: "program",
        version: 1,
      });
      // Process warnings are delivered on a later tick.
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).toEqual([]);
  });
});

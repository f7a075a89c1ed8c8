import { describe, expect, it } from "vitest";
import { checkSchema } from "../../src/base/schema-check.js";

describe("schema checks", () => {
  it("report one issue for a value that fails every branch of an anyOf, naming each alternative", () => {
    const doc = {
      version: 1,
      kind: "tensors",
      tensors: { x: { dtype: "float32", range: { start: [0], end: [1] }, data: ["nan"] } },
    };
    const issues = checkSchema("tensors", doc);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: "schema_violation", path: "/tensors/x/data/0" });
    expect(issues[0]!.summary).toContain("must be number or must be equal to one of the allowed values");
  });

  it("report a wrong version as unsupported_version, not as a schema violation", () => {
    const issues = checkSchema("tensors", { version: 2, kind: "tensors", tensors: {} });
    expect(issues.map((i) => i.code)).toEqual(["unsupported_version"]);
  });

  it("name the unexpected field of an additionalProperties violation", () => {
    const issues = checkSchema("tensors", { version: 1, kind: "tensors", tensors: {}, extra: true });
    expect(issues[0]!.summary).toContain("'extra'");
  });
});

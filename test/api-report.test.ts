import { describe, expect, it } from "vitest";
import { apiReport, checkedInReport } from "../scripts/api-report.mjs";

describe("the public API report (docs/api-report.md)", () => {
  it("lists exactly what the package's entry points export (after an intended change: `node scripts/api-report.mjs --write`)", () => {
    expect(apiReport()).toBe(checkedInReport());
  }, 120_000);
});

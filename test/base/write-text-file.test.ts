import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTextFile } from "../../src/base/write-text-file.js";
import { thrownError } from "../support/thrown.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-write-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeTextFile", () => {
  it("writes the text, creating the folder, and returns the absolute path", () => {
    const path = join(dir, "a", "b", "out.txt");
    expect(writeTextFile(path, "hello")).toBe(path);
    expect(readFileSync(path, "utf8")).toBe("hello");
  });

  it("leaves a missing folder alone when asked, failing with ENOENT", () => {
    const path = join(dir, "missing", "out.txt");
    const e = thrownError(() => writeTextFile(path, "x", { what: "--out file", createFolder: false }));
    expect(e.code).toBe("write_failed");
    expect(e.summary).toBe(`cannot write --out file ${path} (ENOENT)`);
    expect(e.context).toEqual({ path, reason: "ENOENT" });
  });

  it("fails with write_failed when a file stands where the folder should be", () => {
    const blocker = join(dir, "blocker");
    writeFileSync(blocker, "");
    const e = thrownError(() => writeTextFile(join(blocker, "out.txt"), "x", { what: "the report to" }));
    expect(e.code).toBe("write_failed");
    expect(e.summary).toMatch(/^cannot write the report to .*blocker\/out\.txt \((ENOTDIR|EEXIST)\)$/);
  });
});

// A write that fails half-way (a full disk, a killed process) must not leave a truncated target.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";

const failing = { on: false };

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  return {
    ...fs,
    writeFileSync: (file: Parameters<typeof fs.writeFileSync>[0], data: string, ...rest: never[]) => {
      if (!failing.on) return fs.writeFileSync(file, data, ...rest);
      // Half the text reaches the disk, then the device is full.
      fs.writeFileSync(file, data.slice(0, data.length >> 1));
      throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    },
  };
});

const { writeTextFile } = await import("../../src/base/write-text-file.js");
const dir = mkdtempSync(join(tmpdir(), "tessera-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeTextFile writes through a temporary file and a rename", () => {
  it("a write that fails half-way leaves the old file whole and no temporary file behind", () => {
    const path = join(dir, "out.json");
    writeFileSync(path, '{"old": true}\n');
    failing.on = true;
    try {
      expect(() => writeTextFile(path, `${JSON.stringify({ new: "x".repeat(1000) })}\n`)).toThrow(
        expect.objectContaining({ code: "write_failed", context: { path, reason: "ENOSPC" } }),
      );
    } finally {
      failing.on = false;
    }
    expect(readFileSync(path, "utf8")).toBe('{"old": true}\n');
    expect(readdirSync(dir)).toEqual(["out.json"]);
  });

  it("a successful write replaces the file and leaves only it", () => {
    const path = join(dir, "out.json");
    writeTextFile(path, "new\n");
    expect(readFileSync(path, "utf8")).toBe("new\n");
    expect(readdirSync(dir)).toEqual(["out.json"]);
  });
});

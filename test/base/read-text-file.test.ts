import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readDocumentFile } from "../../src/base/document-file.js";
import { readTextFile } from "../../src/base/read-text-file.js";
import { thrownError } from "../support/thrown.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readTextFile reads regular files only, bounded, with typed errors", () => {
  it("a missing file is file_not_found, in words", () => {
    const e = thrownError(() => readDocumentFile(join(dir, "nope.json")));
    expect(e.code).toBe("file_not_found");
    expect(e.summary).toBe(`cannot read ${join(dir, "nope.json")}: no such file`);
  });

  it("a directory is read_failed", () => {
    const e = thrownError(() => readTextFile(dir));
    expect(e.code).toBe("read_failed");
    expect(e.summary).toContain("it is a directory");
  });

  it("a FIFO with no writer is read_failed at once, not a read that blocks forever", () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const e = thrownError(() => readTextFile(fifo));
    expect(e.code).toBe("read_failed");
    expect(e.context).toEqual({ path: fifo, reason: "not_regular" });
  });

  it("/dev/zero is refused, not read until memory runs out", () => {
    expect(thrownError(() => readDocumentFile("/dev/zero")).code).toBe("read_failed");
  });

  it("a file over the size limit is read_failed naming the limit", () => {
    const big = join(dir, "big.json");
    writeFileSync(big, "x".repeat(101));
    const e = thrownError(() => readTextFile(big, 100));
    expect(e.code).toBe("read_failed");
    expect(e.context).toEqual({ path: big, reason: "too_large" });
    expect(readTextFile(big, 101)).toHaveLength(101);
  });

  it("an unreadable file is read_failed: permission denied", () => {
    const locked = join(dir, "locked.json");
    writeFileSync(locked, "{}");
    chmodSync(locked, 0);
    chmodSync(dir, 0o755);
    if (process.getuid?.() !== 0) {
      const e = thrownError(() => readTextFile(locked));
      expect(e.code).toBe("read_failed");
      expect(e.summary).toContain("permission denied");
      return;
    }
    // Root reads any file: read it as an unprivileged user (nobody) in a child process instead.
    const module = fileURLToPath(new URL("../../src/base/read-text-file.ts", import.meta.url));
    const script = `import(${JSON.stringify(module)}).then((m) => { try { m.readTextFile(${JSON.stringify(locked)}); console.log("read"); } catch (e) { console.log(JSON.stringify([e.code, e.summary])); } });`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], {
      uid: 65534,
      gid: 65534,
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: { ...process.env, HOME: tmpdir() },
      encoding: "utf8",
    });
    const [code, summary] = JSON.parse(out.trim()) as [string, string];
    expect(code).toBe("read_failed");
    expect(summary).toContain("permission denied");
  }, 60_000);
});

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tessera-run-interrupt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A plan of the large transformer block: its reference run takes minutes, so only Ctrl-C ends it in time. */
function largePlan(): string {
  const plan = join(dir, "large.json");
  const r = spawnSync(
    process.execPath,
    [
      join(root, "bin/tessera"),
      "shard",
      "examples/transformer-block-large.json",
      "--devices",
      "2",
      "-o",
      plan,
    ],
    { cwd: root, encoding: "utf8" },
  );
  expect(r.status, r.stderr).toBe(0);
  return plan;
}

describe("tessera run, interrupted by Ctrl-C", () => {
  it("stops the workers, leaves no output file and exits 130", async () => {
    const plan = largePlan();
    const out = join(dir, "outputs.json");
    const child = spawn(
      process.execPath,
      [join(root, "bin/tessera"), "run", plan, "--workers", "2", "--out", out],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    try {
      while (!stderr.includes("running '") && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      // Let the workers start on their tasks.
      await new Promise((r) => setTimeout(r, 1500));
      child.kill("SIGINT");
      const { code, signal } = await exited;
      expect(signal).toBeNull();
      expect(code).toBe(130);
      expect(stderr).toContain("interrupted: run stopped, no output written");
      expect(readdirSync(dir).sort()).toEqual(["large.json"]);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 240_000);
});

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { readSearchResultFile } from "../../src/search/result/search-result-file.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tessera-plan-interrupt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `tessera plan` in a child process, sends it SIGINT once it has searched for a while, and waits for it to exit. */
async function interruptedPlan(workers: number, out: string) {
  const child = spawn(
    process.execPath,
    [
      join(root, "bin/tessera"),
      "plan",
      "examples/transformer-block.json",
      "--cluster",
      "dgx-a100",
      // Ten minutes: only the interrupt can end this run within the test's time.
      "--budget",
      "600s",
      "--workers",
      String(workers),
      "-o",
      out,
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    // The first line is printed before the search starts; give the search a moment to run.
    while (!stdout.includes("planning") && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 2000));
    child.kill("SIGINT");
    const code = await exited;
    return { code, stdout, stderr };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

describe("tessera plan, interrupted by Ctrl-C", () => {
  for (const workers of [1, 2]) {
    it(`with ${workers} worker${workers === 1 ? "" : "s"}: stops the search and writes the best front found so far`, async () => {
      const out = join(dir, `w${workers}`);
      const r = await interruptedPlan(workers, out);
      expect(r.stderr).toContain("interrupted: stopping the search; writing the best front found so far");
      expect(r.stderr).toMatch(/interrupted after \d+ plan evaluations/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^\* front-1 /m);
      const result = readSearchResultFile(join(out, "search-result.json"), builtinRegistry());
      expect(result.stats.stoppedBy).toBe("aborted");
      expect(result.front.length).toBeGreaterThan(0);
      expect(result.stats.seconds).toBeLessThan(600);
      expect(existsSync(join(out, "chosen.plan.json"))).toBe(true);
    });
  }
});

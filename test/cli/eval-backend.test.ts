import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EVAL_WARN_SECONDS, evalEstimate, formatDuration } from "../../src/cli/eval-estimate.js";
import { loadProgramFile } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { runCli } from "../support/run-cli.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const repo = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

describe("tessera eval --backend", () => {
  it("evaluates with ONNX Runtime's kernels and says which kernels ran", async () => {
    const r = await runCli(["eval", repo("examples/mlp.json"), "--backend", "onnx"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("onnx kernels");
  });

  it("gives the same summaries as the reference on a small program", async () => {
    const onnx = await runCli(["eval", repo("examples/mlp.json"), "--backend", "onnx"]);
    const reference = await runCli(["eval", repo("examples/mlp.json")]);
    expect(reference.out).toContain("reference kernels");
    const shape = (s: string) =>
      s
        .split("\n")
        .filter((l) => l.startsWith("  "))
        .map((l) => l.split("sum=")[0]);
    expect(shape(onnx.out)).toEqual(shape(reference.out));
  });

  it("refuses an unknown backend with a usage error", async () => {
    const r = await runCli(["eval", repo("examples/mlp.json"), "--backend", "gpu"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--backend must be reference or onnx");
  });
});

describe("the size estimate", () => {
  it("puts the large transformer block at minutes on the reference and far less on onnx", () => {
    const program = loadProgramFile(repo("examples/transformer-block-large.json"), builtinRegistry());
    const e = evalEstimate(program);
    expect(e.seconds.reference).toBeGreaterThan(EVAL_WARN_SECONDS);
    expect(e.seconds.onnx).toBeLessThan(e.seconds.reference / 10);
  });

  it("warns before a run of minutes, naming the fast backend and the slow ground truth", async () => {
    const child = spawn(
      process.execPath,
      [join(root, "bin/tessera"), "eval", "examples/transformer-block-large.json"],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    try {
      while (!stderr.includes("\n") && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toMatch(/^note: about .* kernel steps; the reference kernels may take \d+/);
      expect(stderr).toContain("--backend onnx");
      expect(stderr).toContain("the reference is the slow ground truth");
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  }, 120_000);

  it("reads durations in the unit a person would use", () => {
    expect(formatDuration(0.2)).toBe("1 s");
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(720)).toBe("12 min");
    expect(formatDuration(3 * 3600)).toBe("3.0 h");
  });
});

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../src/cli/main.js";
import { validateProgram } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { runCli } from "../support/run-cli.js";

const repo = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));
const MLP = repo("examples/mlp.json");
const dir = mkdtempSync(join(tmpdir(), "tessera-grad-"));
const STACK_FRAME = /\n\s+at /;

describe("tessera grad", () => {
  it("writes the program with its backward pass and names each gradient", async () => {
    const out = join(dir, "mlp-grad.json");
    const run = await runCli(["grad", MLP, "--loss", "y", "--wrt", "w1,b1", "--wrt", "w2", "-o", out]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      /'mlp-grad': 4 forward \+ \d+ backward operations; grad_w1 = dy\/dw1, grad_b1 = dy\/db1, grad_w2 = dy\/dw2/,
    );
    const { program, issues } = validateProgram(JSON.parse(readFileSync(out, "utf8")), builtinRegistry());
    expect(issues).toEqual([]);
    expect(program!.outputs).toEqual(["y", "grad_w1", "grad_b1", "grad_w2"]);
  });

  it("prints the program as JSON without --out", async () => {
    const run = await runCli(["grad", MLP, "--loss", "y", "--wrt", "w2"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out).outputs).toEqual(["y", "grad_w2"]);
  });

  it("recomputes the activations --recompute names (or the cheap ones)", async () => {
    const plain = JSON.parse((await runCli(["grad", MLP, "--loss", "y", "--wrt", "w1"])).out);
    const named = JSON.parse(
      (await runCli(["grad", MLP, "--loss", "y", "--wrt", "w1", "--recompute", "act1"])).out,
    );
    const cheap = JSON.parse(
      (await runCli(["grad", MLP, "--loss", "y", "--wrt", "w1", "--recompute", "cheap"])).out,
    );
    expect(named.operations.length).toBe(plain.operations.length + 1);
    expect(cheap.operations.length).toBe(plain.operations.length + 1);
    const bad = await runCli(["grad", MLP, "--loss", "y", "--wrt", "w1", "--recompute", "x"]);
    expect(bad.code).toBe(EXIT_USER_ERROR);
    expect(bad.err).toContain("invalid_argument");
  });

  it("exits 2 with a typed error for a tensor the program lacks", async () => {
    const run = await runCli(["grad", MLP, "--loss", "nope", "--wrt", "w2"]);
    expect(run.code).toBe(EXIT_USER_ERROR);
    expect(run.err).toContain("unknown_tensor");
    expect(run.err).not.toMatch(STACK_FRAME);
  });
});

describe("tessera train-step", () => {
  it("writes an Adam step whose states are inputs and whose new weights and states are outputs", async () => {
    const out = join(dir, "mlp-train.json");
    const run = await runCli([
      "train-step",
      MLP,
      "--loss",
      "y",
      "--params",
      "w2,b2",
      "--lr",
      "0.01",
      "-o",
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("adam step over w2, b2");
    expect(run.out).toContain("optimizer states m_w2, v_w2, m_b2, v_b2 (start at zeros)");
    // w2 [512, 128] and b2 [128] in float32: 262,656 bytes; Adam keeps two states of each.
    expect(run.out).toContain("holds weights 257 KiB, optimizer states 513 KiB, gradients 257 KiB");
    expect(run.out).toContain("activations kept for the backward 80 KiB"); // h [32, 512] and probs [32, 128]
    const { program } = validateProgram(JSON.parse(readFileSync(out, "utf8")), builtinRegistry());
    expect(program!.outputs).toEqual([
      "y",
      "new_w2",
      "new_m_w2",
      "new_v_w2",
      "new_b2",
      "new_m_b2",
      "new_v_b2",
    ]);
  });

  it.each([
    [["--optimizer", "rmsprop"], "invalid_argument"],
    [["--lr", "fast"], "invalid_argument"],
    [["--lr", "-1"], "invalid_argument"],
  ])("exits 2 for %j (%s)", async (extra, code) => {
    const run = await runCli(["train-step", MLP, "--loss", "y", "--params", "w2", ...extra]);
    expect(run.code).toBe(EXIT_USER_ERROR);
    expect(run.err).toContain(code);
    expect(run.err).not.toMatch(STACK_FRAME);
  });
});

// A plan file that recomputes activations, through the commands that take plans: validate,
// simulate, run --verify (local workers run the rewritten program) and report.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildMlpTrain } from "../../examples/mlp-train.js";
import { EXIT_USER_ERROR } from "../../src/cli/main.js";
import { makePlan, planToJson } from "../../src/plan/index.js";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-recompute-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const step = buildMlpTrain(8, 16, 32, 4);
const plan = makePlan(step, {
  devices: ["d0", "d1"],
  splits: { fc1: [{ dim: 0, parts: 2 }], act1: [{ dim: 0, parts: 2 }] },
  recompute: ["act1", "probs"],
});
const planFile = join(dir, "step.plan.json");
writeFileSync(planFile, JSON.stringify(planToJson(plan)));

describe("a plan file with a recompute set", () => {
  it("simulates, naming what it recomputes", async () => {
    const r = await runCli(["simulate", planFile, "--cluster", "dgx-a100"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("recomputed for the backward: act1, probs\n");
  });

  it("runs on local workers and equals the reference", async () => {
    const r = await runCli(["run", planFile, "--verify"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("verified: the sharded run equals the reference");
  });

  it("shows the set in its report", async () => {
    const out = join(dir, "step.html");
    const r = await runCli(["report", planFile, "-o", out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8")).toContain(
      "Recomputes 2 activations for the backward instead of keeping them: <code>act1</code>, <code>probs</code>.",
    );
  });

  it("is refused by validate when it names a weight", async () => {
    const bad = join(dir, "bad.plan.json");
    writeFileSync(bad, JSON.stringify({ ...(planToJson(plan) as object), recompute: ["w1"] }));
    const r = await runCli(["validate", bad]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.out + r.err).toContain("not_recomputable");
    expect(r.out + r.err).toContain("/recompute/0");
  });
});

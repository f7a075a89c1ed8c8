import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { textTimeline } from "../../src/cli/text-timeline.js";
import { loadProgramFile } from "../../src/frontend/index.js";
import { presetCluster, simulatePlan } from "../../src/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan, planToJson } from "../../src/plan/index.js";
import { formatBytes, formatSeconds } from "../../src/report/units.js";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-simulate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mlp = loadProgramFile("examples/mlp.json", builtinRegistry());
const megatron = makePlan(mlp, {
  devices: ["d0", "d1"],
  splits: { fc1: [{ dim: 1, parts: 2 }], act1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
});
const planFile = join(dir, "mlp.plan.json");
writeFileSync(planFile, JSON.stringify(planToJson(megatron)));

describe("tessera simulate", () => {
  it("prints the cost vector, the recognised reduce and a timeline lane per device and link", async () => {
    const r = await runCli(["simulate", planFile, "--cluster", "dgx-a100", "--pricing", "collective"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("on cluster 'dgx-a100' (collective pricing)");
    expect(r.out).toMatch(/makespan\s+\d/);
    expect(r.out).toMatch(/reduce\s+d0,d1\s+16 KiB\s+ring/);
    expect(r.out).toMatch(/^d0 +│/m);
    expect(r.out).toMatch(/^d1 → intra │/m);
  });

  it("prints the simulation as JSON with --json", async () => {
    const r = await runCli(["simulate", planFile, "--cluster", "dgx-a100", "--json"]);
    const sim = JSON.parse(r.out) as { cost: { makespan: number }; pricing: string };
    expect(sim.pricing).toBe("point-to-point");
    expect(sim.cost.makespan).toBeGreaterThan(0);
  });

  it("splits each device's peak by kind for a training step, and only for one", async () => {
    const step = loadProgramFile("examples/mlp-train.json", builtinRegistry());
    const trainFile = join(dir, "mlp-train.plan.json");
    writeFileSync(trainFile, JSON.stringify(planToJson(makePlan(step, { devices: ["d0"] }))));
    const r = await runCli(["simulate", trainFile, "--cluster", "dgx-a100"]);
    expect(r.code).toBe(0);
    const sim = simulatePlan(makePlan(step, { devices: ["d0"] }), presetCluster("dgx-a100"));
    const m = sim.memory!.d0!;
    expect(m.optimizerStates).toBeGreaterThan(0);
    expect(r.out).toMatch(
      /device +runs on +peak memory +weights +optimizer states +gradients +kept activations +transient/,
    );
    const row = r.out.split("\n").find((l) => l.startsWith("d0 "))!;
    for (const bytes of [m.peak, m.weights, m.optimizerStates, m.gradients])
      expect(row).toContain(formatBytes(bytes));
    const forward = await runCli(["simulate", planFile, "--cluster", "dgx-a100"]);
    expect(forward.out).not.toContain("optimizer states");
  });

  it("rejects an unknown preset and an unknown pricing mode with exit 2", async () => {
    const preset = await runCli(["simulate", planFile, "--cluster", "tpu-v9"]);
    expect(preset.code).toBe(2);
    expect(preset.err).toContain("error[unknown_preset]");
    const pricing = await runCli(["simulate", planFile, "--cluster", "dgx-a100", "--pricing", "fast"]);
    expect(pricing.code).toBe(2);
    expect(pricing.err).toContain("--pricing must be point-to-point or collective");
  });
});

describe("text timeline", () => {
  it("spans the makespan and marks compute where tasks run", () => {
    const sim = simulatePlan(megatron, presetCluster("dgx-a100"));
    const text = textTimeline(sim, 40);
    const d0 = text.split("\n").find((l) => l.startsWith("d0 "))!;
    expect(d0).toMatch(/│[█·]{40}│/);
    expect(d0).toContain("█");
    expect(text).toContain(formatSeconds(sim.cost.makespan));
  });
});

describe("units", () => {
  it("print bytes in binary units and seconds at a readable scale", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(16384)).toBe("16 KiB");
    expect(formatBytes(1.5 * 2 ** 30)).toBe("1.5 GiB");
    expect(formatSeconds(12.3e-6)).toBe("12.3 µs");
    expect(formatSeconds(4.56e-3)).toBe("4.56 ms");
    expect(formatSeconds(1.2)).toBe("1.20 s");
  });
});

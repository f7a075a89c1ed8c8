import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildGptStack } from "../../examples/gpt-stack.js";
import { isTesseraError } from "../../src/base/index.js";
import { presetCluster } from "../../src/cluster/index.js";
import { simulatePlan } from "../../src/cost/index.js";
import { makePlan } from "../../src/plan/index.js";
import { dataParallelPlan, lowerBound, megatronPlan, singleDevicePlan } from "../../src/search/index.js";
import { EXAMPLES, example } from "./example-programs.js";

const PRESETS = ["dgx-a100", "a100-8x8", "a100-64x8"] as const;
const BASELINES = [singleDevicePlan, dataParallelPlan, megatronPlan] as const;

describe("lowerBound", () => {
  it("is at most the makespan of every baseline, on every example and preset", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXAMPLES),
        fc.constantFrom(...PRESETS),
        fc.constantFrom(...BASELINES),
        fc.integer({ min: 1, max: 16 }),
        (name, preset, baseline, n) => {
          const cluster = presetCluster(preset);
          const program = example(name);
          const devices = baseline === singleDevicePlan ? 1 : Math.min(n, cluster.devices.length);
          const plan =
            baseline === singleDevicePlan ? baseline(program, cluster) : baseline(program, cluster, devices);
          // The bound for the devices the plan may use: a plan on fewer devices than the bound's
          // would be a counterexample too.
          expect(simulatePlan(plan, cluster).cost.makespan).toBeGreaterThanOrEqual(
            lowerBound(program, cluster, { devices }).seconds,
          );
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });

  it("is the largest of its terms and names what binds it", () => {
    const b = lowerBound(example("mlp"), presetCluster("dgx-a100"));
    expect(b.seconds).toBe(
      Math.max(b.flopsSeconds, b.workSeconds!, b.indivisibleSeconds, b.criticalPathSeconds!),
    );
    // fc1 → act1 → fc2 → probs: one chain, each at least its one-point task.
    expect(b.bindingTerm).toBe("critical-path");
    expect(b.criticalPathLength).toBe(4);
    expect(b.op).toBe("probs");
    expect(b.criticalPathSeconds!).toBeGreaterThanOrEqual(4 * 5e-6);
    // 2·32·512·256 + 2·32·512 + 2·32·128·512 + 2·32·128 (softmax reads a 128-long row per point).
    expect(b.flops).toBe(2 * 32 * 512 * 256 + 2 * 32 * 512 + 2 * 32 * 128 * 512 + 2 * 32 * 128);
    expect(b.aggregatePeak.float32).toBe(
      8 *
        presetCluster("dgx-a100").deviceTypes[presetCluster("dgx-a100").devices[0]!.type]!.peakFlops.float32!,
    );
    expect(b.flopsSeconds).toBeCloseTo(b.flops / b.aggregatePeak.float32!, 20);
  });

  it("never exceeds the single-device makespan", () => {
    const cluster = presetCluster("dgx-a100");
    const big = example("conv-net");
    const single = simulatePlan(singleDevicePlan(big, cluster), cluster).cost.makespan;
    expect(single).toBeGreaterThanOrEqual(lowerBound(big, cluster).seconds);
  });

  it("stays below hand-made plans that cut every operation finely", () => {
    const cluster = presetCluster("dgx-a100");
    for (const name of EXAMPLES) {
      const program = example(name);
      const splits = Object.fromEntries(
        program.operations
          .filter((op) => op.signature.unshardable === undefined)
          .map((op) => [op.id, [{ dim: 0, parts: Math.min(8, op.index.shape.coords[0]!) }]]),
      );
      const plan = makePlan(program, { devices: cluster.devices.map((d) => d.id), splits });
      expect(simulatePlan(plan, cluster).cost.makespan).toBeGreaterThanOrEqual(
        lowerBound(program, cluster).seconds,
      );
    }
  });

  it("is for the searched devices: fewer devices, a larger FLOP term", () => {
    const cluster = presetCluster("a100-8x8");
    const program = buildGptStack(2, { batch: 8, seq: 256, model: 256, heads: 4 });
    const all = lowerBound(program, cluster);
    const sixteen = lowerBound(program, cluster, { devices: 16 });
    expect(all.devices).toBe(64);
    expect(sixteen.devices).toBe(16);
    expect(sixteen.flopsSeconds).toBeCloseTo(all.flopsSeconds * 4, 12);
    expect(sixteen.aggregatePeak.float32).toBeCloseTo(all.aggregatePeak.float32! / 4, 0);
    // Data parallel on those 16 devices still takes at least the 16-device bound.
    const dp = simulatePlan(dataParallelPlan(program, cluster, 16), cluster).cost.makespan;
    expect(dp).toBeGreaterThanOrEqual(sixteen.seconds);
  });

  it("adds up the launches along the longest dependency chain of a deep stack", () => {
    const cluster = presetCluster("a100-8x8");
    const launch = cluster.deviceTypes[cluster.devices[0]!.type]!.launchOverhead;
    const deep = buildGptStack(12);
    const b = lowerBound(deep, cluster);
    // Each block chains ln1 → k → k_t → scores → attn → context → out_proj → head_sum →
    // out_bias → residual1 → ln2 → mlp_up → mlp_act → mlp_down → residual2: 15 operations.
    expect(b.criticalPathLength).toBe(15 * 12);
    expect(b.criticalPathSeconds!).toBeGreaterThanOrEqual(15 * 12 * launch);
    expect(b.bindingTerm).toBe("critical-path");
    const single = simulatePlan(singleDevicePlan(deep, cluster), cluster).cost.makespan;
    expect(single).toBeGreaterThanOrEqual(b.seconds);
  });

  it("refuses a device count outside the cluster", () => {
    const cluster = presetCluster("dgx-a100");
    for (const devices of [0, 9, 2.5]) {
      let caught: unknown;
      try {
        lowerBound(example("mlp"), cluster, { devices });
      } catch (error: unknown) {
        caught = error;
      }
      expect(isTesseraError(caught) && caught.code).toBe("invalid_device_count");
    }
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
          const plan =
            baseline === singleDevicePlan
              ? baseline(program, cluster)
              : baseline(program, cluster, Math.min(n, cluster.devices.length));
          expect(simulatePlan(plan, cluster).cost.makespan).toBeGreaterThanOrEqual(
            lowerBound(program, cluster).seconds,
          );
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });

  it("is the larger of its terms and names what binds it", () => {
    const b = lowerBound(example("mlp"), presetCluster("dgx-a100"));
    expect(b.seconds).toBe(Math.max(b.flopsSeconds, b.indivisibleSeconds));
    expect(b.bindingTerm).toBe("indivisible");
    expect(b.op).toBeDefined();
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
});

// Recomputation as a plan-level choice of the search: on a training step whose kept activations
// do not fit, the search (no pins) recomputes some of them and finds a plan that fits.
import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { recomputableActivations, trainStep } from "../../src/autodiff/index.js";
import { type Cluster, presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { program } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan, planToJson, recomputedTensors } from "../../src/plan/index.js";
import {
  mutatorsFor,
  parseSearchResult,
  planChoices,
  recomputeSimulator,
  searchPlans,
  searchResultToJson,
  searchSpace,
  withMember,
} from "../../src/search/index.js";

const registry = builtinRegistry();

/** `layers` of matmul → tanh → sigmoid: both VJPs read their outputs, so the backward keeps them. */
function chainStep(layers: number, batch: number, width: number): Program {
  const p = program("chain");
  let h = p.input("x", [batch, width]);
  const params: string[] = [];
  for (let l = 0; l < layers; l++) {
    params.push(`w${l}`);
    const w = p.input(`w${l}`, [width, width]);
    h = p.sigmoid(p.tanh(p.matmul(h, w, { id: `mm${l}` }), { id: `t${l}` }), { id: `s${l}` });
  }
  p.output("loss", p.mean(p.mul(h, h, { id: "sq" }), {}, { id: "mean" }));
  return trainStep(p.build(), { loss: "loss", params, optimizer: { kind: "sgd", lr: 0.1 } }, registry);
}

/** dgx-a100 with `bytes` of memory per device. */
function withMemory(bytes: number): Cluster {
  const base = presetCluster("dgx-a100");
  return {
    ...base,
    deviceTypes: Object.fromEntries(
      Object.entries(base.deviceTypes).map(([k, t]) => [k, { ...t, memoryBytes: bytes }]),
    ),
  };
}

const step = chainStep(4, 512, 32);
const roomy = presetCluster("dgx-a100");
const one = [roomy.devices[0]!.id];
const peak = (recompute: readonly string[]) =>
  createSimulator(makePlan(step, { devices: one, recompute }), roomy).cost().maxPeakMemory;
// Between the peak that keeps every activation and the one that recomputes them all.
const kept = peak([]);
const least = peak(recomputableActivations(step));
const cluster = withMemory((kept + least) / 2);

describe("the recompute mutator", () => {
  it("joins the mutators of a training step only", () => {
    const names = (p: Program) => mutatorsFor(searchSpace(p, one, [])).map((m) => m.name);
    expect(names(step)).toContain("recompute");
    expect(names(buildMlp())).not.toContain("recompute");
  });

  it("gives a simulator addressed like the plan before recomputation, whose changes reach the copies", () => {
    const devices = cluster.devices.slice(0, 2).map((d) => d.id);
    const base = createSimulator(makePlan(step, { devices }), cluster);
    const sim = recomputeSimulator(base, ["t1", "s1"]);
    expect(recomputedTensors(sim.plan)).toEqual(["t1", "s1"]);
    const k = step.operations.findIndex((o) => o.id === "t1");
    expect(sim.operationPlan(k).op).toBe("t1");
    const child = sim.withSharding("t1", [{ dim: 0, parts: 2 }], devices);
    const copy = child.plan.operations.find((o) => o.op === "recompute.t1")!;
    expect(copy.sharding.splits).toEqual([{ dim: 0, parts: 2 }]);
    expect(copy.devices).toEqual(devices);
    const moved = child.withPlacement("t1", [devices[1]!, devices[0]!]);
    expect(moved.plan.operations.find((o) => o.op === "recompute.t1")!.devices).toEqual([
      devices[1],
      devices[0],
    ]);
    // The same plan simulated from its plain data costs the same.
    expect(withMember(base, planChoices(moved.plan), ["t1", "s1"]).cost()).toEqual(moved.cost());
    expect(recomputedTensors(recomputeSimulator(moved, []).plan)).toEqual([]);
  });
});

describe("searchPlans on a training step whose kept activations do not fit", () => {
  it("is set up so: every plan that keeps them is over memory, recomputing them all fits", () => {
    expect(kept).toBeGreaterThan(cluster.deviceTypes[cluster.devices[0]!.type]!.memoryBytes);
    expect(least).toBeLessThan(cluster.deviceTypes[cluster.devices[0]!.type]!.memoryBytes);
  });

  it.each([1, 2])("finds a feasible plan that recomputes, without pins (%i workers)", async (workers) => {
    const options = { devices: 1, workers, seed: 3, budget: { evaluations: 400 } };
    const result = await searchPlans(step, cluster, options);
    expect(result.baselines.every((b) => !b.cost.feasible)).toBe(true);
    const chosen = result.front[result.chosen]!;
    expect(chosen.cost.feasible).toBe(true);
    expect(recomputedTensors(chosen.plan).length).toBeGreaterThan(0);
    // The plan's cost is its own: simulating the chosen plan again gives it.
    expect(createSimulator(chosen.plan, cluster).cost().maxPeakMemory).toBe(chosen.cost.maxPeakMemory);
    // The result file keeps the recompute set.
    const back = parseSearchResult(searchResultToJson(result), registry);
    expect(recomputedTensors(back.front[back.chosen]!.plan)).toEqual(recomputedTensors(chosen.plan));
    // Reproducible: the same seed, budget and workers give the same front.
    const again = await searchPlans(step, cluster, options);
    expect(again.front.map((m) => planToJson(m.plan))).toEqual(result.front.map((m) => planToJson(m.plan)));
  });
});

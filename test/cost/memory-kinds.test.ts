/**
 * The peak split by kind: which tensors are weights, optimizer states, gradients, activations
 * kept for the backward and transient, and what each device's peak held of each — adding up to
 * exactly the simulated peak, with ZeRO's savings landing in the kinds they should.
 */
import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { buildMlpTrain } from "../../examples/mlp-train.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator, MEMORY_KINDS, memoryKinds } from "../../src/cost/index.js";
import { trainingPlan, trainingShape } from "../../src/search/baselines/training-plans.js";

const step = buildMlpTrain(8, 256, 1024, 64);
const cluster = presetCluster("dgx-a100");

describe("memoryKinds", () => {
  it("tells weights, optimizer states, kept activations and gradients apart in a training step", () => {
    const kinds = memoryKinds(step);
    for (const w of ["w1", "b1", "w2", "b2", "new_w1", "new_b2"]) expect(kinds.get(w), w).toBe("weights");
    for (const s of ["m_w1", "v_w1", "new_m_w1", "new_v_b2"]) expect(kinds.get(s), s).toBe("optimizerStates");
    // The backward reads x (for dw1) and the hidden activations.
    expect(kinds.get("x")).toBe("activations");
    expect(kinds.get("act1")).toBe("activations");
    // Weight gradients and the update's weight-shaped intermediates: backward, never outputs.
    const gradients = [...kinds].filter(([, k]) => k === "gradients").map(([t]) => t);
    expect(gradients.length).toBeGreaterThan(4);
    for (const g of gradients) expect(step.outputs).not.toContain(g);
  });

  it("calls every tensor of a forward program transient", () => {
    expect(new Set(memoryKinds(buildMlp()).values())).toEqual(new Set(["transient"]));
  });
});

describe("the simulation's peak by kind", () => {
  const shape = trainingShape(step)!;
  const memory = (stage: "dp" | "zero-1" | "zero-2") =>
    createSimulator(trainingPlan(step, cluster, 8, stage, shape), cluster).simulate();

  it("adds up to each device's simulated peak, exactly", () => {
    for (const stage of ["dp", "zero-1", "zero-2"] as const) {
      const sim = memory(stage);
      for (const [device, m] of Object.entries(sim.memory!)) {
        expect(m.peak, `${stage} ${device}`).toBe(sim.cost.peakMemory[device]);
        expect(MEMORY_KINDS.reduce((s, k) => s + m[k], 0)).toBe(m.peak);
      }
    }
  });

  it("shows ZeRO-1 slicing the optimizer states and ZeRO-2 the gradients", () => {
    const first = (stage: "dp" | "zero-1" | "zero-2") => {
      const plan = trainingPlan(step, cluster, 8, stage, shape);
      return createSimulator(plan, cluster).simulate().memory![plan.devices[0]!]!;
    };
    const [dp, z1, z2] = [first("dp"), first("zero-1"), first("zero-2")];
    // dp-allreduce updates on the first device: it holds every state; ZeRO-1 an eighth of them.
    expect(z1.optimizerStates).toBeLessThan(dp.optimizerStates / 4);
    expect(z2.gradients).toBeLessThan(z1.gradients / 2);
    expect(dp.weights).toBe(z1.weights);
  });
});

import { describe, expect, it } from "vitest";
import { buildGptBlockTrain } from "../../examples/gpt-block-train.js";
import { addGptBlocks } from "../../examples/gpt-stack.js";
import { grad, trainStep } from "../../src/autodiff/index.js";
import { TesseraError } from "../../src/base/errors.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { evaluateProgram, programOutputs, randomInputs } from "../../src/exec/reference/index.js";
import { program } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan } from "../../src/plan/index.js";

const registry = builtinRegistry();

/** A GPT block with a squared-error loss: forward only, for `trainStep` to extend. */
function gptLoss(): Program {
  const sizes = { batch: 2, seq: 16, model: 32, heads: 2 };
  const p = program("gpt-loss");
  const x = p.input("x", [2, 1, 16, 32]);
  const y = addGptBlocks(p, x, 2, sizes);
  p.output("loss", p.mean(p.mul(y, y)));
  return p.build();
}

function step(forward: Program, recompute?: "cheap") {
  const params = forward.inputs.filter((i) => i !== "x");
  return trainStep(
    forward,
    { loss: "loss", params, optimizer: { kind: "sgd", lr: 0.1 }, ...(recompute ? { recompute } : {}) },
    registry,
  );
}

/** The simulated cost of running `p` whole on one device. */
function oneDevice(p: Program) {
  const cluster = presetCluster("dgx-a100");
  return createSimulator(makePlan(p, { devices: [cluster.devices[0]!.id], splits: {} }), cluster).cost();
}

describe("recomputation of cheap activations", () => {
  const forward = gptLoss();
  const kept = step(forward);
  const recomputed = step(forward, "cheap");

  it("computes the same numbers, bit for bit", () => {
    const inputs = randomInputs(kept, 3);
    const a = programOutputs(kept, evaluateProgram(kept, inputs, registry));
    const b = programOutputs(recomputed, evaluateProgram(recomputed, inputs, registry));
    for (const id of kept.outputs) expect(Array.from(b[id]!.data), id).toEqual(Array.from(a[id]!.data));
  });

  it("adds the recomputing operations and trades memory for time in the simulator", () => {
    expect(recomputed.operations.length).toBeGreaterThan(kept.operations.length);
    const withKept = oneDevice(kept);
    const withRecompute = oneDevice(recomputed);
    expect(withRecompute.maxPeakMemory).toBeLessThan(withKept.maxPeakMemory);
    expect(withRecompute.makespan).toBeGreaterThan(withKept.makespan);
  });

  it("works from grad too, and on the GPT example", () => {
    const g = grad(forward, { loss: "loss", wrt: ["l0_w1"], recompute: ["l0_mlp_act", "l0_ln1"] }, registry);
    const inputs = randomInputs(g, 1);
    const plain = grad(forward, { loss: "loss", wrt: ["l0_w1"] }, registry);
    expect(Array.from(evaluateProgram(g, inputs, registry).grad_l0_w1!.data)).toEqual(
      Array.from(evaluateProgram(plain, inputs, registry).grad_l0_w1!.data),
    );
    expect(buildGptBlockTrain().operations.length).toBeGreaterThan(0);
  });

  it.each([
    ["a tensor that does not exist", ["nope"], "unknown_tensor"],
    ["a program input", ["x"], "invalid_argument"],
  ])("rejects %s", (_what, ids, code) => {
    let error: unknown;
    try {
      grad(forward, { loss: "loss", wrt: ["l0_w1"], recompute: ids }, registry);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe(code);
  });
});

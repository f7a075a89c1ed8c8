/**
 * A training step's simulated peak memory counts what training keeps: optimizer states (inputs
 * and their new values), and forward activations kept alive until their backward use.
 */
import { describe, expect, it } from "vitest";
import { type Optimizer, trainStep } from "../../src/autodiff/index.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { program } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan } from "../../src/plan/index.js";

const cluster = presetCluster("dgx-a100");
const peakOnOneDevice = (p: Program) =>
  createSimulator(makePlan(p, { devices: [cluster.devices[0]!.id], splits: {} }), cluster).cost()
    .maxPeakMemory;

/** A 3-layer tanh MLP, 512 wide, batch 64, with a squared-error loss. */
function forward(): Program {
  const p = program("mlp-loss");
  let h = p.input("x", [64, 512]);
  for (let l = 0; l < 3; l++) h = p.tanh(p.linear(h, p.input(`w${l}`, [512, 512])));
  p.output("loss", p.mean(p.mul(h, h)));
  return p.build();
}

const WEIGHT_BYTES = 3 * 512 * 512 * 4;
const ACTIVATION_BYTES = 64 * 512 * 4;

describe("the peak memory of a training step", () => {
  const f = forward();
  const step = (optimizer: Optimizer) =>
    trainStep(f, { loss: "loss", params: ["w0", "w1", "w2"], optimizer }, builtinRegistry());

  it("holds Adam's two states per weight, and their new values", () => {
    const sgd = peakOnOneDevice(step({ kind: "sgd", lr: 0.1 }));
    const adam = peakOnOneDevice(step({ kind: "adam", lr: 0.1 }));
    expect(adam - sgd).toBeGreaterThanOrEqual(4 * WEIGHT_BYTES);
  });

  it("keeps forward activations alive until their backward use", () => {
    const forwardOnly = peakOnOneDevice(f);
    const sgd = peakOnOneDevice(step({ kind: "sgd", lr: 0.1 }));
    // New weights (outputs) plus, at the backward's start, the six activations the VJPs read.
    expect(sgd - forwardOnly).toBeGreaterThanOrEqual(WEIGHT_BYTES + 4 * ACTIVATION_BYTES);
  });
});

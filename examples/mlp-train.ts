// One Adam training step of a 2-layer MLP classifier: forward (relu MLP, softmax), a
// cross-entropy loss against one-hot targets, the backward pass derived by `trainStep`, and the
// Adam update of every weight — one program, planned and run like any other.
import { trainStep } from "../src/autodiff/index.js";
import { program } from "../src/frontend/index.js";
import type { Program } from "../src/ir/index.js";
import { builtinRegistry } from "../src/kernels/library/index.js";

/** Builds the MLP training step: batch 16, 64 → 128 → 10, Adam at learning rate 1e-3. */
export function buildMlpTrain(batch = 16, dIn = 64, dHidden = 128, dOut = 10): Program {
  const p = program("mlp-loss");
  const x = p.input("x", [batch, dIn]);
  const target = p.input("target", [batch, dOut]);
  const w1 = p.input("w1", [dIn, dHidden]);
  const b1 = p.input("b1", [dHidden]);
  const w2 = p.input("w2", [dHidden, dOut]);
  const b2 = p.input("b2", [dOut]);
  const h = p.relu(p.linear(x, w1, b1, { id: "fc1" }), { id: "act1" });
  const probs = p.softmax(p.linear(h, w2, b2, { id: "fc2" }), { dim: -1 }, { id: "probs" });
  // Cross-entropy: −(1/batch) Σ target · log(probs).
  const picked = p.sum(
    p.mul(target, p.log(probs, { id: "log_probs" }), { id: "picked" }),
    { dims: [1] },
    { id: "per_row" },
  );
  p.output("loss", p.neg(p.mean(picked, {}, { id: "mean_ll" }), { id: "nll" }));
  return trainStep(
    p.build(),
    {
      loss: "loss",
      params: ["w1", "b1", "w2", "b2"],
      optimizer: { kind: "adam", lr: 1e-3 },
      name: "mlp-train",
    },
    builtinRegistry(),
  );
}

// A 2-layer MLP: y = softmax(relu(x·W1 + b1)·W2 + b2).
import { program } from "../src/frontend/index.js";
import type { Program } from "../src/ir/index.js";

/** Builds the MLP example: batch 32, 256 → 512 → 128. */
export function buildMlp(batch = 32, dIn = 256, dHidden = 512, dOut = 128): Program {
  const p = program("mlp");
  const x = p.input("x", [batch, dIn]);
  const w1 = p.input("w1", [dIn, dHidden]);
  const b1 = p.input("b1", [dHidden]);
  const w2 = p.input("w2", [dHidden, dOut]);
  const b2 = p.input("b2", [dOut]);
  const h = p.relu(p.linear(x, w1, b1, { id: "fc1" }), { id: "act1" });
  const logits = p.linear(h, w2, b2, { id: "fc2" });
  p.output("y", p.softmax(logits, { dim: -1 }, { id: "probs" }));
  return p.build();
}

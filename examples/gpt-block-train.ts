// One Adam training step of a GPT-style block with a language-model head: the block of
// `gpt-stack.ts`, a vocabulary projection, softmax, cross-entropy against one-hot next tokens,
// the derived backward pass and the Adam update of every weight.
import { trainStep } from "../src/autodiff/index.js";
import { program } from "../src/frontend/index.js";
import type { Program } from "../src/ir/index.js";
import { builtinRegistry } from "../src/kernels/library/index.js";
import { addGptBlocks, type GptSizes } from "./gpt-stack.js";

/** Builds a `layers`-block GPT training step (default: 1 tiny block, vocabulary 32). */
export function buildGptBlockTrain(
  layers = 1,
  sizes: GptSizes = { batch: 2, seq: 8, model: 16, heads: 2 },
  vocab = 32,
): Program {
  const { batch, seq, model } = sizes;
  const p = program(`gpt-${layers}-loss`);
  const x = p.input("x", [batch, 1, seq, model]);
  const target = p.input("target", [batch, 1, seq, vocab]);
  const y = addGptBlocks(p, x, layers, sizes);
  const head = p.input("w_head", [model, vocab]);
  const probs = p.softmax(p.linear(y, head, undefined, { id: "lm_head" }), { dim: -1 }, { id: "lm_probs" });
  const ll = p.sum(
    p.mul(target, p.log(probs, { id: "log_probs" }), { id: "picked" }),
    { dims: [3] },
    { id: "token_ll" },
  );
  p.output("loss", p.neg(p.mean(ll, {}, { id: "mean_ll" }), { id: "nll" }));
  const forward = p.build();
  const params = forward.inputs.filter((id) => id !== "x" && id !== "target");
  return trainStep(
    forward,
    { loss: "loss", params, optimizer: { kind: "adam", lr: 1e-3 }, name: `gpt-${layers}-train` },
    builtinRegistry(),
  );
}

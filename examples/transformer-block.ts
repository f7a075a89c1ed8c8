// A pre-norm transformer block: multi-head self-attention and a GELU MLP, each with a
// layer norm in front and a residual connection around it.
//
// Heads are a real dimension of the weights (wq/wk/wv: [H, D, dh], wo: [H, dh, D]) rather
// than a reshape of one [D, D] matrix: every operation then has an affine index projection,
// so heads can be sharded (Megatron's head split) and the output projection is a sum over
// heads (a reduction the planner can split). The 1/sqrt(dh) score scale is folded into wq.
import { program } from "../src/frontend/index.js";
import type { Program } from "../src/ir/index.js";

/** Builds the transformer block example: sequence 32, model width 64, 4 heads, MLP width 256. */
export function buildTransformerBlock(seq = 32, dModel = 64, heads = 4, dMlp = 256): Program {
  const dHead = dModel / heads;
  const p = program("transformer-block");
  const x = p.input("x", [seq, dModel]);
  const ln1g = p.input("ln1_gamma", [dModel]);
  const ln1b = p.input("ln1_beta", [dModel]);
  const wq = p.input("wq", [heads, dModel, dHead]);
  const wk = p.input("wk", [heads, dModel, dHead]);
  const wv = p.input("wv", [heads, dModel, dHead]);
  const wo = p.input("wo", [heads, dHead, dModel]);
  const bo = p.input("bo", [dModel]);
  const ln2g = p.input("ln2_gamma", [dModel]);
  const ln2b = p.input("ln2_beta", [dModel]);
  const w1 = p.input("w1", [dModel, dMlp]);
  const b1 = p.input("b1", [dMlp]);
  const w2 = p.input("w2", [dMlp, dModel]);
  const b2 = p.input("b2", [dModel]);

  const h = p.layerNorm(x, ln1g, ln1b, { normalizedDims: 1 }, { id: "ln1" });
  const q = p.matmul(h, wq, { id: "q" }); // [H, seq, dh]
  const k = p.matmul(h, wk, { id: "k" });
  const v = p.matmul(h, wv, { id: "v" });
  const kT = p.transpose(k, { perm: [0, 2, 1] }, { id: "k_t" }); // [H, dh, seq]
  const scores = p.matmul(q, kT, { id: "scores" }); // [H, seq, seq]
  const probs = p.softmax(scores, { dim: -1 }, { id: "attn" });
  const ctx = p.matmul(probs, v, { id: "context" }); // [H, seq, dh]
  const perHead = p.matmul(ctx, wo, { id: "out_proj" }); // [H, seq, D]
  const attn = p.add(p.sum(perHead, { dims: [0] }, { id: "head_sum" }), bo, { id: "out_bias" });
  const x1 = p.add(x, attn, { id: "residual1" });

  const h2 = p.layerNorm(x1, ln2g, ln2b, { normalizedDims: 1 }, { id: "ln2" });
  const up = p.gelu(p.linear(h2, w1, b1, { id: "mlp_up" }), { id: "mlp_act" });
  const down = p.linear(up, w2, b2, { id: "mlp_down" });
  p.output("y", p.add(x1, down, { id: "residual2" }));
  return p.build();
}

// A GPT-style decoder stack: `layers` pre-norm transformer blocks over a batch of sequences.
//
// The residual stream is [batch, 1, seq, model]: the unit dimension lines up with the heads of
// the attention weights (wq: [heads, model, head]) under numpy broadcasting, so q/k/v come out
// as [batch, heads, seq, head] with every projection affine, and the head sum (keepdims) lands
// back on the stream's shape. Attention is per sequence (no cross-batch scores); the causal
// mask is left out (it changes no shape, FLOP count or sharding).
import { program, type TensorProgram, type TensorRef } from "../src/frontend/index.js";
import type { Program } from "../src/ir/index.js";

/** Sizes of a GPT-style stack. */
export interface GptSizes {
  readonly batch: number;
  readonly seq: number;
  readonly model: number;
  readonly heads: number;
  /** MLP width; default 4 × model. */
  readonly mlp?: number;
}

/** GPT-2 small's widths (768 wide, 12 heads) on 8 sequences of 1024 tokens. */
export const GPT2_SMALL: GptSizes = { batch: 8, seq: 1024, model: 768, heads: 12 };

/** GPT-2 medium's widths (1024 wide, 16 heads) on 16 sequences of 1024 tokens. */
export const GPT2_MEDIUM: GptSizes = { batch: 16, seq: 1024, model: 1024, heads: 16 };

/** Builds a `layers`-block GPT-style stack (default: 2 tiny blocks, for tests and examples). */
export function buildGptStack(
  layers = 2,
  sizes: GptSizes = { batch: 2, seq: 8, model: 16, heads: 2 },
): Program {
  const p = program(`gpt-${layers}`);
  const x = p.input("x", [sizes.batch, 1, sizes.seq, sizes.model]);
  p.output("y", addGptBlocks(p, x, layers, sizes));
  return p.build();
}

/** Appends `layers` pre-norm blocks to `p` over the residual stream `x` [batch, 1, seq, model]; returns the last stream. */
export function addGptBlocks(p: TensorProgram, input: TensorRef, layers: number, sizes: GptSizes): TensorRef {
  const { model, heads } = sizes;
  const mlp = sizes.mlp ?? 4 * model;
  const dh = model / heads;
  let x = input;
  for (let l = 0; l < layers; l++) {
    const w = (name: string, shape: number[]) => p.input(`l${l}_${name}`, shape);
    const id = (name: string) => ({ id: `l${l}_${name}` });
    const h = p.layerNorm(
      x,
      w("ln1_gamma", [model]),
      w("ln1_beta", [model]),
      { normalizedDims: 1 },
      id("ln1"),
    );
    const q = p.matmul(h, w("wq", [heads, model, dh]), id("q")); // [B, H, S, dh]
    const k = p.matmul(h, w("wk", [heads, model, dh]), id("k"));
    const v = p.matmul(h, w("wv", [heads, model, dh]), id("v"));
    const kT = p.transpose(k, { perm: [0, 1, 3, 2] }, id("k_t"));
    const probs = p.softmax(p.matmul(q, kT, id("scores")), { dim: -1 }, id("attn"));
    const ctx = p.matmul(probs, v, id("context"));
    const perHead = p.matmul(ctx, w("wo", [heads, dh, model]), id("out_proj")); // [B, H, S, D]
    const summed = p.sum(perHead, { dims: [1], keepdims: true }, id("head_sum")); // [B, 1, S, D]
    const x1 = p.add(x, p.add(summed, w("bo", [model]), id("out_bias")), id("residual1"));
    const h2 = p.layerNorm(
      x1,
      w("ln2_gamma", [model]),
      w("ln2_beta", [model]),
      { normalizedDims: 1 },
      id("ln2"),
    );
    const up = p.gelu(p.linear(h2, w("w1", [model, mlp]), w("b1", [mlp]), id("mlp_up")), id("mlp_act"));
    const down = p.linear(up, w("w2", [mlp, model]), w("b2", [model]), id("mlp_down"));
    x = p.add(x1, down, id("residual2"));
  }
  return x;
}

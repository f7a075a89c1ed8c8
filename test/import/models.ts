/**
 * ONNX models built in the tests, and a comparison of an imported program's reference
 * evaluation with ONNX Runtime running the model itself.
 */
import { expect } from "vitest";
import { evaluateProgram, programOutputs } from "../../src/exec/reference/evaluate.js";
import type { ImportedModel } from "../../src/import/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { ZRange } from "../../src/zspace/z-range.js";
import { type Attr, f, floats, OnnxModelBuilder, runOnnxRuntime } from "./onnx-builder.js";

/** How the GPT block writes its GELU and layer norms. */
export interface GptStyle {
  readonly gelu: "Relu" | "Gelu" | "erf" | "erf-half-first" | "tanh";
  readonly layerNorm: "op" | "decomposed";
}

/**
 * A pre-norm GPT block on `x [batch, T, D]`: LN → QKV → per-head scaled dot-product attention
 * (softmax over keys) → output projection → residual; LN → MLP (GELU) → residual.
 */
export function gptBlock(
  style: GptStyle,
  T = 6,
  D = 16,
  H = 2,
  batch: number | string = 2,
): OnnxModelBuilder {
  const dh = D / H;
  const m = new OnnxModelBuilder(style.gelu === "Gelu" ? 20 : 17);
  const x = m.input("x", [batch, T, D]);
  const ln = (v: string, tag: string) => layerNorm(m, style.layerNorm, v, D, tag);
  const h = ln(x, "ln1");
  const heads = (v: string, perm: number[]) =>
    m.node("Transpose", [m.node("Reshape", [v, m.ints(`${v}.shape`, [0, T, H, dh])])], { perm });
  const q = heads(m.node("MatMul", [h, m.init("wq", [D, D])]), [0, 2, 1, 3]);
  const k = heads(m.node("MatMul", [h, m.init("wk", [D, D])]), [0, 2, 3, 1]);
  const v = heads(m.node("MatMul", [h, m.init("wv", [D, D])]), [0, 2, 1, 3]);
  const scores = m.node("Div", [m.node("MatMul", [q, k]), m.init("scale", [], [Math.sqrt(dh)])]);
  const attn = m.node("MatMul", [m.node("Softmax", [scores], { axis: -1 }), v]);
  const merged = m.node("Reshape", [
    m.node("Transpose", [attn], { perm: [0, 2, 1, 3] }),
    m.ints("merge", [0, 0, D]),
  ]);
  const r1 = m.node("Add", [x, m.node("MatMul", [merged, m.init("wo", [D, D])])]);
  const h2 = ln(r1, "ln2");
  const up = m.node("Add", [m.node("MatMul", [h2, m.init("w1", [D, 4 * D])]), m.init("b1", [4 * D])]);
  const act = gelu(m, style.gelu, up);
  const down = m.node("Add", [m.node("MatMul", [act, m.init("w2", [4 * D, D])]), m.init("b2", [D])]);
  m.node("Add", [r1, down], {}, ["y"]);
  m.output("y", [batch, T, D]);
  return m;
}

function layerNorm(
  m: OnnxModelBuilder,
  style: GptStyle["layerNorm"],
  x: string,
  D: number,
  tag: string,
): string {
  const gamma = m.init(
    `${tag}.gamma`,
    [D],
    floats(D * 31, D).map((v) => 1 + v / 4),
  );
  const beta = m.init(`${tag}.beta`, [D], floats(D * 37, D, 0.1));
  if (style === "op") return m.node("LayerNormalization", [x, gamma, beta], { axis: -1, epsilon: f(1e-5) });
  // The pattern exporters (torch.onnx before opset 17) write: ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div, Mul γ, Add β.
  // ReduceMean takes its axes as an attribute until opset 18, as an input from it.
  const reduceMean = (v: string, k: string) =>
    m.opset >= 18
      ? m.node("ReduceMean", [v, m.ints(`${tag}.${k}`, [-1])], { keepdims: 1 })
      : m.node("ReduceMean", [v], { axes: [-1], keepdims: 1 });
  const mean = reduceMean(x, "axes1");
  const centred = m.node("Sub", [x, mean]);
  const variance = reduceMean(m.node("Pow", [centred, m.init(`${tag}.two`, [], [2])]), "axes2");
  const std = m.node("Sqrt", [m.node("Add", [variance, m.init(`${tag}.eps`, [], [1e-5])])]);
  return m.node("Add", [m.node("Mul", [m.node("Div", [centred, std]), gamma]), beta]);
}

function gelu(m: OnnxModelBuilder, style: GptStyle["gelu"], x: string): string {
  const c = (name: string, v: number) => m.init(`${x}.${name}`, [], [v]);
  switch (style) {
    case "Relu":
      return m.node("Relu", [x]);
    case "Gelu":
      return m.node("Gelu", [x], { approximate: "none" });
    case "erf": {
      // torch.onnx: x · (erf(x / √2) + 1) · 0.5
      const gate = m.node("Add", [m.node("Erf", [m.node("Div", [x, c("sqrt2", Math.SQRT2)])]), c("one", 1)]);
      return m.node("Mul", [m.node("Mul", [x, gate]), c("half", 0.5)]);
    }
    case "erf-half-first": {
      // (0.5 · x) · (1 + erf(x · 1/√2))
      const gate = m.node("Add", [
        c("one", 1),
        m.node("Erf", [m.node("Mul", [x, c("rsqrt2", Math.SQRT1_2)])]),
      ]);
      return m.node("Mul", [m.node("Mul", [c("half", 0.5), x]), gate]);
    }
    case "tanh": {
      // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
      const cube = m.node("Pow", [x, c("three", 3)]);
      const inner = m.node("Mul", [
        c("k", Math.sqrt(2 / Math.PI)),
        m.node("Add", [x, m.node("Mul", [c("a", 0.044715), cube])]),
      ]);
      const gate = m.node("Add", [c("one", 1), m.node("Tanh", [inner])]);
      return m.node("Mul", [m.node("Mul", [c("half", 0.5), x]), gate]);
    }
  }
}

/** A small conv net on `x [N, 3, 12, 12]`: conv+bias → relu → strided conv → global pool → flatten → Gemm → softmax. */
export function convNet(extra: (m: OnnxModelBuilder, x: string) => string = (_m, x) => x): OnnxModelBuilder {
  const m = new OnnxModelBuilder(13);
  const x = m.input("x", ["N", 3, 12, 12]);
  const c1 = m.node("Conv", [x, m.init("w1", [8, 3, 3, 3]), m.init("b1", [8])], {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
  });
  const a1 = extra(m, m.node("Relu", [c1]));
  const c2 = m.node("Conv", [a1, m.init("w2", [8, 4, 3, 3])], {
    strides: [2, 2],
    pads: [1, 1, 1, 1],
    group: 2,
  });
  const pooled = m.node("GlobalAveragePool", [m.node("Relu", [c2])]);
  const flat = m.node("Flatten", [pooled], { axis: 1 });
  const logits = m.node("Gemm", [flat, m.init("fc", [5, 8]), m.init("fcb", [5])], {
    transB: 1,
    alpha: f(1.5),
  });
  m.node("Softmax", [logits], { axis: 1 }, ["probs"]);
  m.output("probs", ["N", 5]);
  return m;
}

/** Data inputs for an imported model: seeded values of each input's dims. */
export function dataFor(
  imported: ImportedModel,
  seed = 5,
): Record<string, { dims: readonly number[]; data: Float32Array }> {
  const p = imported.program;
  return Object.fromEntries(
    imported.dataInputs.map((id, k) => {
      const dims = p.tensors.find((t) => t.id === id)!.range.shape.toArray();
      const n = dims.reduce((a, b) => a * b, 1);
      return [id, { dims, data: Float32Array.from(floats(seed + k * 101, n)) }];
    }),
  );
}

/** The imported program's reference outputs equal ONNX Runtime's on the model, within `tol` (abs + rel). */
export async function expectSameAsOnnxRuntime(
  bytes: Uint8Array,
  imported: ImportedModel,
  tol = 1e-4,
): Promise<void> {
  const feeds = dataFor(imported);
  const inputs = { ...imported.weights };
  for (const [id, v] of Object.entries(feeds))
    inputs[id] = { dtype: "float32", range: ZRange.fromShape(v.dims), data: v.data };
  const ours = programOutputs(imported.program, evaluateProgram(imported.program, inputs, builtinRegistry()));
  const theirs = await runOnnxRuntime(bytes, feeds);
  for (const [id, expected] of Object.entries(theirs)) {
    const got = ours[id];
    expect(got, `output ${id}`).toBeDefined();
    expect(got!.range.shape.toArray()).toEqual(expected.dims);
    let worst = 0;
    expected.data.forEach((e, i) => {
      worst = Math.max(worst, Math.abs(got!.data[i]! - e) / (1 + Math.abs(e)));
    });
    expect(worst, `output ${id}: max |ours − onnxruntime| / (1 + |onnxruntime|)`).toBeLessThan(tol);
  }
}

export type { Attr };

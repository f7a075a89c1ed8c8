import type { Fusion } from "./fusion.js";
import type { GraphIndex } from "./graph-index.js";
import type { OnnxNode } from "./onnx-model.js";
import { constant } from "./onnx-value.js";
import { batchNormAffine } from "./translate-compute.js";
import { translationFor } from "./translations.js";

/**
 * Inference BatchNormalization right after a Conv with constant filters, folded into the
 * filters and the bias at import: with `s = γ / √(σ² + ε)` per output channel,
 * `w' = w · s` and `b' = (b − μ) · s + β` (b = 0 without a bias). One conv2d and one add
 * replace the conv, the normalization and its four statistics tensors. The Conv's output must
 * feed only the normalization.
 */
export function batchNormFold(g: GraphIndex): Fusion[] {
  const out: Fusion[] = [];
  for (const bn of g.model.graph.nodes) {
    if (bn.opType !== "BatchNormalization" || bn.domain !== "") continue;
    const conv = g.producer(bn.inputs[0], "Conv");
    if (conv === undefined || g.soleConsumer(conv.outputs[0], "BatchNormalization") !== bn) continue;
    const statistics = [1, 2, 3, 4].every((i) => g.isConstant(bn.inputs[i]));
    const filters = g.isConstant(conv.inputs[1]);
    const bias = conv.inputs[2];
    if (!statistics || !filters || (bias !== undefined && bias !== "" && !g.isConstant(bias))) continue;
    out.push({
      pattern: "batch norm folded into conv",
      nodes: [conv.index, bn.index],
      at: bn.index,
      output: bn.outputs[0]!,
      translate: (ctx) => {
        const w = ctx.lookup(conv.inputs[1]!);
        const b = bias === undefined || bias === "" ? undefined : ctx.lookup(bias);
        if (w?.kind !== "const" || (b !== undefined && b.kind !== "const")) return undefined;
        const { scale, shift } = batchNormAffine(ctx, bn);
        const oc = w.dims[0]!;
        if (scale.length !== oc) return undefined;
        const per = w.values.length / oc;
        const folded = constant(
          `${w.name}.bn`,
          w.type,
          w.dims,
          Array.from(w.values, (v, i) => v * scale[Math.floor(i / per)]!),
        );
        const foldedBias = constant(
          `${bn.outputs[0]!}.bias`,
          w.type,
          [oc],
          scale.map((s, c) => (b?.values[c] ?? 0) * s + shift[c]!),
        );
        const wName = ctx.freshId(folded.name);
        const bName = ctx.freshId(foldedBias.name);
        ctx.define(wName, folded);
        ctx.define(bName, foldedBias);
        const node: OnnxNode = {
          ...conv,
          inputs: [conv.inputs[0]!, wName, bName],
          outputs: [bn.outputs[0]!],
        };
        return translationFor("Conv", "")!(node, ctx);
      },
    });
  }
  return out;
}

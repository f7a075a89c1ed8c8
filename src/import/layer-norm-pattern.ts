import type { Fusion } from "./fusion.js";
import { type GraphIndex, near } from "./graph-index.js";
import type { ImportContext } from "./import-context.js";
import type { OnnxNode } from "./onnx-model.js";
import { dimsOf, intsOf, type OnnxValue } from "./onnx-value.js";

/** The axes a ReduceMean reads (attribute before opset 18, input from it) as written, or undefined. */
function axesOf(ctx: ImportContext, node: OnnxNode): number[] | undefined {
  if (ctx.opset < 18) return ctx.ints(node, "axes")?.slice();
  const v = node.inputs[1] === undefined || node.inputs[1] === "" ? undefined : ctx.lookup(node.inputs[1]);
  return v?.kind === "const" ? intsOf(v) : undefined;
}

/** `d²` of value `d`: `Pow(d, 2)` or `Mul(d, d)`. */
function isSquare(g: GraphIndex, node: OnnxNode, d: string): boolean {
  if (node.opType === "Pow") return node.inputs[0] === d && near(g.scalar(node.inputs[1]), 2);
  return node.opType === "Mul" && node.inputs[0] === d && node.inputs[1] === d;
}

/**
 * Layer normalization written out (torch.onnx before opset 17):
 * `d = x − mean(x)`, `y = d / √(mean(d²) + ε)`, then optionally `· γ` and `+ β`, the means over
 * the same trailing axes with keepdims. → `layer_norm` with `normalizedDims` = the number of
 * axes, ε, and γ, β as weight and bias. Shapes are checked when translating (the axes must be
 * the trailing ones, γ and β shaped like them); otherwise the nodes are imported one by one.
 */
export function layerNormPattern(g: GraphIndex): Fusion[] {
  const out: Fusion[] = [];
  for (const sub of g.model.graph.nodes) {
    if (sub.opType !== "Sub") continue;
    const [x, meanValue] = sub.inputs;
    const mean = g.producer(meanValue, "ReduceMean");
    if (
      x === undefined ||
      mean === undefined ||
      mean.inputs[0] !== x ||
      g.soleConsumer(meanValue, "Sub") !== sub
    )
      continue;
    const d = sub.outputs[0]!;
    const readers = g.internalConsumers(d);
    const square = readers.find((n) => isSquare(g, n, d));
    const div = readers.find((n) => n.opType === "Div" && n.inputs[0] === d);
    if (readers.length !== 2 || square === undefined || div === undefined) continue;
    const variance = g.soleConsumer(square.outputs[0], "ReduceMean");
    const plus = variance === undefined ? undefined : g.soleConsumer(variance.outputs[0], "Add");
    const epsValue =
      plus === undefined || variance === undefined ? undefined : g.other(plus, variance.outputs[0]!);
    const eps = g.scalar(epsValue);
    const sqrt = plus === undefined ? undefined : g.soleConsumer(plus.outputs[0], "Sqrt");
    if (variance === undefined || plus === undefined || eps === undefined || sqrt === undefined) continue;
    if (div.inputs[1] !== sqrt.outputs[0] || g.soleConsumer(sqrt.outputs[0], "Div") !== div) continue;
    const nodes = [mean, sub, square, variance, plus, sqrt, div];
    let last = div;
    let weight: string | undefined;
    let bias: string | undefined;
    const scale = g.soleConsumer(div.outputs[0], "Mul");
    if (scale !== undefined) {
      weight = g.other(scale, div.outputs[0]!);
      nodes.push(scale);
      last = scale;
      const shift = g.soleConsumer(scale.outputs[0], "Add");
      if (shift !== undefined) {
        bias = g.other(shift, scale.outputs[0]!);
        nodes.push(shift);
        last = shift;
      }
    }
    const output = last.outputs[0]!;
    out.push({
      pattern: "layer norm",
      nodes: nodes.map((n) => n.index).sort((a, b) => a - b),
      at: last.index,
      output,
      translate: (ctx) => {
        const xv = ctx.lookup(x);
        if (xv === undefined) return undefined;
        const rank = dimsOf(xv).length;
        const a1 = axesOf(ctx, mean);
        const a2 = axesOf(ctx, variance);
        if (a1 === undefined || a2 === undefined || a1.length === 0) return undefined;
        const norm = (a: number[]) => a.map((v) => (v < 0 ? v + rank : v)).sort((p, q) => p - q);
        const axes = norm(a1);
        const trailing = axes.every((v, i) => v === rank - axes.length + i);
        const keeps = ctx.int(mean, "keepdims", 1) === 1 && ctx.int(variance, "keepdims", 1) === 1;
        if (!trailing || !keeps || norm(a2).join() !== axes.join()) return undefined;
        const block = dimsOf(xv).slice(rank - axes.length);
        const affine = (name: string | undefined): OnnxValue | undefined | null => {
          if (name === undefined) return undefined;
          const v = ctx.lookup(name);
          // Only an operand shaped exactly like the normalized block is layer_norm's weight or bias.
          return v !== undefined && dimsOf(v).join() === block.join() ? v : null;
        };
        const w = affine(weight);
        const b = affine(bias);
        if (w === null || b === null) return undefined;
        const params = { normalizedDims: axes.length, eps };
        const inputs = {
          x: ctx.asTensor(xv, last),
          weight: w === undefined ? undefined : ctx.asTensor(w, last),
          bias: b === undefined ? undefined : ctx.asTensor(b, last),
        };
        return { kind: "tensor", ref: ctx.apply("layer_norm", inputs, params, output) };
      },
    });
  }
  return out;
}

import type { Fusion } from "./fusion.js";
import { type GraphIndex, near } from "./graph-index.js";
import type { OnnxNode } from "./onnx-model.js";

/**
 * The product `x · gate · 0.5` in the orders exporters write it, starting from the node that
 * makes `gate` (the `1 + erf(…)` or `1 + tanh(…)` add): `(x · gate) · 0.5`, `(gate · 0.5) · x`
 * or `(0.5 · x) · gate`. Returns the nodes and the final one, or undefined.
 */
function halfProduct(
  g: GraphIndex,
  gate: OnnxNode,
  x: string,
): { nodes: OnnxNode[]; last: OnnxNode } | undefined {
  const m1 = g.soleConsumer(gate.outputs[0], "Mul");
  if (m1 === undefined) return undefined;
  const o1 = g.other(m1, gate.outputs[0]!);
  if (o1 === undefined) return undefined;
  if (o1 === x || near(g.scalar(o1), 0.5)) {
    const m2 = g.soleConsumer(m1.outputs[0], "Mul");
    const o2 = m2 === undefined ? undefined : g.other(m2, m1.outputs[0]!);
    const closes = o1 === x ? near(g.scalar(o2), 0.5) : o2 === x;
    return m2 !== undefined && closes ? { nodes: [m1, m2], last: m2 } : undefined;
  }
  const half = g.producer(o1, "Mul");
  if (half === undefined || g.soleConsumer(o1, "Mul") !== m1) return undefined;
  const h = g.other(half, x);
  return h !== undefined && near(g.scalar(h), 0.5) ? { nodes: [half, m1], last: m1 } : undefined;
}

/** `1 + v` where `v` is `node`'s output: the Add reading it (once), or undefined. */
function onePlus(g: GraphIndex, node: OnnxNode): OnnxNode | undefined {
  const add = g.soleConsumer(node.outputs[0], "Add");
  return add !== undefined && near(g.scalar(g.other(add, node.outputs[0]!)), 1) ? add : undefined;
}

/** `x · x · x` or `x³` feeding nothing else: its nodes, or undefined. */
function cube(g: GraphIndex, value: string, x: string): OnnxNode[] | undefined {
  const pow = g.producer(value, "Pow");
  if (pow !== undefined) return pow.inputs[0] === x && near(g.scalar(pow.inputs[1]), 3) ? [pow] : undefined;
  const outer = g.producer(value, "Mul");
  if (outer === undefined) return undefined;
  const sq = g.other(outer, x);
  const inner = g.producer(sq, "Mul");
  const innerIsSquare = inner !== undefined && inner.inputs[0] === x && inner.inputs[1] === x;
  return innerIsSquare && g.soleConsumer(sq, "Mul") === outer ? [inner, outer] : undefined;
}

function erfGelu(g: GraphIndex, erf: OnnxNode): Fusion | undefined {
  const scale = g.producer(erf.inputs[0], "Div") ?? g.producer(erf.inputs[0], "Mul");
  if (scale === undefined || g.soleConsumer(scale.outputs[0], "Erf") !== erf) return undefined;
  const x = scale.inputs[0]!;
  const c = g.scalar(scale.inputs[1]);
  const scaled = scale.opType === "Div" ? near(c, Math.SQRT2) : near(c, Math.SQRT1_2);
  const gate = scaled ? onePlus(g, erf) : undefined;
  const tail = gate === undefined ? undefined : halfProduct(g, gate, x);
  if (tail === undefined || gate === undefined) return undefined;
  return fusion("gelu (erf)", "gelu_erf", [scale, erf, gate, ...tail.nodes], tail.last, x);
}

function tanhGelu(g: GraphIndex, tanh: OnnxNode): Fusion | undefined {
  // tanh(k · (x + a · x³)), k = √(2/π), a = 0.044715, each product in either order.
  const outer = g.producer(tanh.inputs[0], "Mul");
  if (outer === undefined || g.soleConsumer(outer.outputs[0], "Tanh") !== tanh) return undefined;
  const [p, q] = outer.inputs;
  const sumValue = near(g.scalar(p), Math.sqrt(2 / Math.PI))
    ? q
    : near(g.scalar(q), Math.sqrt(2 / Math.PI))
      ? p
      : undefined;
  const sum = g.producer(sumValue, "Add");
  if (sum === undefined || g.soleConsumer(sumValue, "Mul") !== outer) return undefined;
  for (const x of sum.inputs) {
    const termValue = g.other(sum, x);
    const term = g.producer(termValue, "Mul");
    if (term === undefined || g.soleConsumer(termValue, "Add") !== sum) continue;
    const [u, v] = term.inputs;
    const cubeValue = near(g.scalar(u), 0.044715) ? v : near(g.scalar(v), 0.044715) ? u : undefined;
    const cubed = cubeValue === undefined ? undefined : cube(g, cubeValue, x);
    if (cubed === undefined || g.soleConsumer(cubeValue, "Mul") !== term) continue;
    const gate = onePlus(g, tanh);
    const tail = gate === undefined ? undefined : halfProduct(g, gate, x);
    if (tail === undefined || gate === undefined) continue;
    return fusion(
      "gelu (tanh)",
      "gelu",
      [...cubed, term, sum, outer, tanh, gate, ...tail.nodes],
      tail.last,
      x,
    );
  }
  return undefined;
}

function fusion(
  pattern: string,
  kernel: "gelu" | "gelu_erf",
  nodes: OnnxNode[],
  last: OnnxNode,
  x: string,
): Fusion {
  const output = last.outputs[0]!;
  return {
    pattern,
    nodes: nodes.map((n) => n.index).sort((a, b) => a - b),
    at: last.index,
    output,
    translate: (ctx) => {
      const v = ctx.lookup(x);
      if (v === undefined) return undefined;
      return { kind: "tensor", ref: ctx.apply(kernel, { x: ctx.asTensor(v, last) }, {}, output) };
    },
  };
}

/**
 * GELU written out by exporters: `x · ½ · (1 + erf(x / √2))` (torch.onnx before opset 20,
 * in any of the three product orders) → `gelu_erf`, and
 * `x · ½ · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))` (GPT-2 style) → `gelu`. Every
 * intermediate value must feed only the pattern.
 */
export function geluPatterns(g: GraphIndex): Fusion[] {
  const out: Fusion[] = [];
  for (const node of g.model.graph.nodes) {
    const f =
      node.opType === "Erf" ? erfGelu(g, node) : node.opType === "Tanh" ? tanhGelu(g, node) : undefined;
    if (f !== undefined) out.push(f);
  }
  return out;
}

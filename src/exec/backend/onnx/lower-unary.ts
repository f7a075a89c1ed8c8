import type { UnaryKernelId } from "../../../kernels/library/index.js";
import { type Lowering, ShardGraph } from "./lowering.js";
import { isWhole } from "./lowering-window.js";

/** The graph of one unary kernel on `x`; `p` holds its decoded params (alpha, min, ...). */
type UnaryBody = (s: ShardGraph, x: string, p: Readonly<Record<string, unknown>>) => string;

const single =
  (op: string): UnaryBody =>
  (s, x) =>
    s.g.op(op, [x]);

/**
 * gelu (tanh approximation) from primitive ops, in the order the reference declaration
 * evaluates `0.5 * x * (1 + tanh(sqrt(2 / π) * (x + 0.044715 * x * x * x)))` (left to right),
 * so that float64 results differ from the reference only by tanh's last bits.
 */
const gelu: UnaryBody = (s, x) => {
  const { g, dtype } = s;
  const cube = g.op("Mul", [g.op("Mul", [g.op("Mul", [g.scalar(dtype, 0.044715), x]), x]), x]);
  const inner = g.op("Mul", [g.scalar(dtype, Math.sqrt(2 / Math.PI)), g.op("Add", [x, cube])]);
  const gate = g.op("Add", [g.scalar(dtype, 1), g.op("Tanh", [inner])]);
  return g.op("Mul", [g.op("Mul", [g.scalar(dtype, 0.5), x]), gate]);
};

/** Exact GELU as `0.5 · x · (1 + erf(x / √2))`, in the reference declaration's order. */
const geluErf: UnaryBody = (s, x) => {
  const { g, dtype } = s;
  const gate = g.op("Add", [
    g.scalar(dtype, 1),
    g.op("Erf", [g.op("Div", [x, g.scalar(dtype, Math.SQRT2)])]),
  ]);
  return g.op("Mul", [g.op("Mul", [g.scalar(dtype, 0.5), x]), gate]);
};

const num = (p: Readonly<Record<string, unknown>>, name: string): number => p[name] as number;

/** `max(0, min(1, alpha · x + beta))` from primitives (HardSigmoid's float attributes are not in `NodeSpec`). */
const hardSigmoid: UnaryBody = (s, x, p) => {
  const { g, dtype } = s;
  const line = g.op("Add", [
    g.op("Mul", [g.scalar(dtype, num(p, "alpha")), x]),
    g.scalar(dtype, num(p, "beta")),
  ]);
  return g.op("Max", [g.scalar(dtype, 0), g.op("Min", [g.scalar(dtype, 1), line])]);
};

/** `min(max(x, min), max)`; bounds beyond the dtype's range saturate to ±∞, which clamp nothing. */
const clip: UnaryBody = (s, x, p) => {
  const { g, dtype } = s;
  return g.op("Min", [g.op("Max", [x, g.scalar(dtype, num(p, "min"))]), g.scalar(dtype, num(p, "max"))]);
};

const BODIES: Readonly<Record<UnaryKernelId, UnaryBody>> = {
  neg: single("Neg"),
  abs: single("Abs"),
  exp: single("Exp"),
  log: single("Log"),
  sqrt: single("Sqrt"),
  // ONNX Relu is max(x, 0) with NaN kept, as the reference's `max(x, 0)`.
  relu: single("Relu"),
  gelu,
  gelu_erf: geluErf,
  sigmoid: single("Sigmoid"),
  hard_sigmoid: hardSigmoid,
  clip,
  tanh: single("Tanh"),
  sign: single("Sign"),
};

/**
 * The lowering of a unary elementwise kernel: its identity projections make input and output
 * boxes equal, so the graph runs on a flat vector of symbolic length and one session per
 * (kernel, dtype) serves every shard.
 */
export function unaryLowering(id: UnaryKernelId): Lowering {
  const body = BODIES[id];
  return (geometry, ctx) => {
    const s = new ShardGraph(geometry);
    const params = ctx.params as Readonly<Record<string, unknown>>;
    if (!isWhole(s.fitted("x"))) return s.done(body(s, s.input("x"), params));
    return s.doneFlat(body(s, s.flatInput("x"), params));
  };
}

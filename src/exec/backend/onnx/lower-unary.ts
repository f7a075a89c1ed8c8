import type { DType } from "../../../base/dtype.js";
import type { UnaryKernelId } from "../../../kernels/library/index.js";
import { ieeeMaximum, ieeeMinimum } from "./ieee-extrema.js";
import { type Lowering, ShardGraph } from "./lowering.js";
import { isWhole } from "./lowering-window.js";
import type { GraphBuilder } from "./onnx-graph.js";
import { narrow, wideDtype, widen } from "./wide-arithmetic.js";

/** The graph of one unary kernel on `x`; `p` holds its decoded params (alpha, min, ...). */
type UnaryBody = (s: ShardGraph, x: string, p: Readonly<Record<string, unknown>>) => string;

const single =
  (op: string): UnaryBody =>
  (s, x) =>
    s.g.op(op, [x]);

/** `body` computed in the wide dtype (float64 for float32 shards, see `wideDtype`). */
const wide =
  (body: (g: GraphBuilder, dtype: DType, x: string) => string): UnaryBody =>
  (s, x) =>
    narrow(s, body(s.g, wideDtype(s.dtype), widen(s, x)));

/**
 * sigmoid as `e / (1 + e)` or `1 / (1 + e)` with `e = exp(−|x|)` ≤ 1, which never overflows
 * and keeps full relative accuracy for x ≪ 0 (ONNX Runtime's Sigmoid returns 0 below −20 in
 * float32 and −40 in float64, and is 1e-3 off at −30), as the reference's `sigmoid`.
 */
const stableSigmoid = (g: GraphBuilder, dtype: DType, x: string): string => {
  const e = g.op("Exp", [g.op("Neg", [g.op("Abs", [x])])]);
  const positive = g.op("Reciprocal", [g.op("Add", [g.scalar(dtype, 1), e])]);
  return g.op("Where", [g.op("Less", [x, g.scalar(dtype, 0)]), g.op("Mul", [e, positive]), positive]);
};

/**
 * gelu (tanh approximation) as the reference declares it, `0.5·x·(1 + tanh(u))` with
 * `u = sqrt(2/π)·(x + 0.044715·x³)`, but with the gate `0.5·(1 + tanh(u))` taken as its equal
 * `sigmoid(2u)` in the stable form: `1 + tanh(u)` cancels for x ≪ 0 (30% relative error at
 * x = −5 in float32; ONNX Runtime's float64 Tanh loses 4e-6 there), the sigmoid does not.
 */
const gelu = (g: GraphBuilder, dtype: DType, x: string): string => {
  const cube = g.op("Mul", [g.op("Mul", [g.op("Mul", [g.scalar(dtype, 0.044715), x]), x]), x]);
  const twiceU = g.op("Mul", [g.scalar(dtype, 2 * Math.sqrt(2 / Math.PI)), g.op("Add", [x, cube])]);
  return g.op("Mul", [x, stableSigmoid(g, dtype, twiceU)]);
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

/**
 * `max(x, bound)` or `min(x, bound)` against a constant bound. Only zeros of opposite sign
 * compare equal with different bits, so a nonzero bound needs only `Max`/`Min`; a zero bound
 * (one that rounds to zero in the dtype included) takes the IEEE 754-2019 form, whose −0 < +0
 * the reference's `max`/`min` follow.
 */
const bounded = (s: ShardGraph, kind: "max" | "min", x: string, bound: number): string => {
  const { g, dtype } = s;
  const b = g.scalar(dtype, bound);
  const stored = dtype === "float32" ? Math.fround(bound) : bound;
  if (stored !== 0) return g.op(kind === "max" ? "Max" : "Min", [x, b]);
  return kind === "max" ? ieeeMaximum(g, dtype, x, b) : ieeeMinimum(g, dtype, x, b);
};

/** `max(0, min(1, alpha · x + beta))` from primitives (HardSigmoid's float attributes are not in `NodeSpec`). */
const hardSigmoid: UnaryBody = (s, x, p) => {
  const { g, dtype } = s;
  const line = g.op("Add", [
    g.op("Mul", [g.scalar(dtype, num(p, "alpha")), x]),
    g.scalar(dtype, num(p, "beta")),
  ]);
  return bounded(s, "max", bounded(s, "min", line, 1), 0);
};

/** `min(max(x, min), max)`; bounds beyond the dtype's range saturate to ±∞, which clamp nothing. */
const clip: UnaryBody = (s, x, p) => bounded(s, "min", bounded(s, "max", x, num(p, "min")), num(p, "max"));

const BODIES: Readonly<Record<UnaryKernelId, UnaryBody>> = {
  neg: single("Neg"),
  abs: single("Abs"),
  exp: single("Exp"),
  log: single("Log"),
  sqrt: single("Sqrt"),
  relu: (s, x) =>
    // ONNX Relu keeps −0; the reference's max(x, +0) orders −0 below +0 (IEEE 754-2019) and
    // keeps NaN, which `x ≤ 0` is false for.
    s.dtype === "int32"
      ? s.g.op("Relu", [x])
      : s.g.op("Where", [s.g.op("LessOrEqual", [x, s.g.scalar(s.dtype, 0)]), s.g.scalar(s.dtype, 0), x]),
  gelu: wide(gelu),
  gelu_erf: geluErf,
  sigmoid: wide(stableSigmoid),
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

import type { DType } from "../../../base/dtype.js";
import type { UnaryKernelId } from "../../../kernels/library/index.js";
import { type Lowering, ShardGraph } from "./lowering.js";
import type { GraphBuilder } from "./onnx-graph.js";
import { isWhole } from "./shard-geometry.js";
import { narrow, wideDtype, widen } from "./wide-arithmetic.js";

type UnaryBody = (s: ShardGraph, x: string) => string;

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
  sigmoid: wide(stableSigmoid),
  tanh: single("Tanh"),
};

/**
 * The lowering of a unary elementwise kernel: its identity projections make input and output
 * boxes equal, so the graph runs on a flat vector of symbolic length and one session per
 * (kernel, dtype) serves every shard.
 */
export function unaryLowering(id: UnaryKernelId): Lowering {
  const body = BODIES[id];
  return (geometry) => {
    const s = new ShardGraph(geometry);
    if (!isWhole(s.fitted("x"))) return s.done(body(s, s.input("x")));
    return s.doneFlat(body(s, s.flatInput("x")));
  };
}

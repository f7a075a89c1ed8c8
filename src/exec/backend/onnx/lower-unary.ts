import type { UnaryKernelId } from "../../../kernels/library/index.js";
import { type Lowering, ShardGraph } from "./lowering.js";
import { isWhole } from "./shard-geometry.js";

type UnaryBody = (s: ShardGraph, x: string) => string;

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

const BODIES: Readonly<Record<UnaryKernelId, UnaryBody>> = {
  neg: single("Neg"),
  abs: single("Abs"),
  exp: single("Exp"),
  log: single("Log"),
  sqrt: single("Sqrt"),
  // ONNX Relu is max(x, 0) with NaN kept, as the reference's `max(x, 0)`.
  relu: single("Relu"),
  gelu,
  sigmoid: single("Sigmoid"),
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
  return (geometry) => {
    const s = new ShardGraph(geometry);
    if (!isWhole(s.fitted("x"))) return s.done(body(s, s.input("x")));
    return s.doneFlat(body(s, s.flatInput("x")));
  };
}

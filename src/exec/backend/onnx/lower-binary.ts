import { ieeeMaximum, ieeeMinimum } from "./ieee-extrema.js";
import { type Lowering, ShardGraph } from "./lowering.js";

/** The binary elementwise kernels and their ONNX ops. */
export const BINARY_OPS = {
  add: "Add",
  sub: "Sub",
  mul: "Mul",
  div: "Div",
  maximum: "Max",
  minimum: "Min",
} as const;

/**
 * The lowering of a binary elementwise kernel. Each operand's needed box already has extent 1
 * where the signature broadcasts it (a zero row) and lacks the leading dimensions it lacks, so
 * ONNX's numpy broadcasting of the two boxes gives exactly the output box.
 *
 * Float `maximum` and `minimum` are IEEE 754-2019's, as the reference's (`ieeeMaximum`): ONNX
 * Runtime's `Max` and `Min` alone return either of two zeros of opposite sign.
 *
 * int32 division is guarded: the reference stores `trunc(a / b)` with `x / 0 → 0` and
 * `INT_MIN / -1 → INT_MIN` (the wrap of 2^31), while a raw integer Div traps on both (SIGFPE
 * kills the process, it cannot be caught), so those divisors never reach it.
 */
export function binaryLowering(kernel: keyof typeof BINARY_OPS): Lowering {
  return (geometry) => {
    const s = new ShardGraph(geometry);
    const a = s.input("a");
    const b = s.input("b");
    if (kernel === "div" && s.dtype === "int32") return s.done(guardedIntDiv(s, a, b));
    if (s.dtype !== "int32" && kernel === "maximum") return s.done(ieeeMaximum(s.g, s.dtype, a, b));
    if (s.dtype !== "int32" && kernel === "minimum") return s.done(ieeeMinimum(s.g, s.dtype, a, b));
    return s.done(s.g.op(BINARY_OPS[kernel], [a, b]));
  };
}

function guardedIntDiv(s: ShardGraph, a: string, b: string): string {
  const { g } = s;
  const byZero = g.op("Equal", [b, g.scalar("int32", 0)]);
  const byMinusOne = g.op("Equal", [b, g.scalar("int32", -1)]);
  const divisor = g.op("Where", [g.op("Or", [byZero, byMinusOne]), g.scalar("int32", 1), b]);
  // Division truncates toward zero, as C's does; x / -1 is -x, which wraps INT_MIN to itself.
  const quotient = g.op("Where", [byMinusOne, g.op("Neg", [a]), g.op("Div", [a, divisor])]);
  return g.op("Where", [byZero, g.scalar("int32", 0), quotient]);
}

import type { UnaryKernelId } from "../kernels/library/index.js";
import { pyFloat } from "./py-code.js";
import { required, type TorchLowering } from "./torch-lowering.js";

/** The torch expression of each unary kernel on a tensor `x`, in the reference's order of operations. */
const UNARY: Readonly<Record<UnaryKernelId, (x: string) => string>> = {
  neg: (x) => `torch.neg(${x})`,
  abs: (x) => `torch.abs(${x})`,
  exp: (x) => `torch.exp(${x})`,
  log: (x) => `torch.log(${x})`,
  sqrt: (x) => `torch.sqrt(${x})`,
  // torch.relu keeps NaN, as the reference's max(x, 0) does.
  relu: (x) => `torch.relu(${x})`,
  // The tanh approximation, term by term as the reference declaration evaluates it.
  gelu: (x) =>
    `(0.5 * ${x}) * (1.0 + torch.tanh(${pyFloat(Math.sqrt(2 / Math.PI))} * (${x} + ((0.044715 * ${x}) * ${x}) * ${x})))`,
  sigmoid: (x) => `torch.sigmoid(${x})`,
  tanh: (x) => `torch.tanh(${x})`,
};

/** The lowering of a unary elementwise kernel: identity projections, so input and output boxes agree. */
export function unaryLowering(id: UnaryKernelId): TorchLowering {
  return (s) => s.code.let(UNARY[id](required(s, "x")));
}

/** The binary elementwise kernels and their torch functions. */
const BINARY = {
  add: "torch.add",
  sub: "torch.sub",
  mul: "torch.mul",
  div: "torch.div",
  maximum: "torch.maximum",
  minimum: "torch.minimum",
} as const;

/**
 * The lowering of a binary elementwise kernel. Each operand's needed box has extent 1 where the
 * signature broadcasts it and lacks the leading dimensions it lacks, so torch's (numpy's)
 * broadcasting of the two boxes gives exactly the output box. int32 division is the
 * reference's: truncated, `x / 0 → 0` and `INT_MIN / -1 → INT_MIN` (torch raises on the first).
 */
export function binaryLowering(kernel: keyof typeof BINARY): TorchLowering {
  return (s) => {
    const a = required(s, "a");
    const b = required(s, "b");
    if (kernel !== "div" || s.out.dtype !== "int32") return s.code.let(`${BINARY[kernel]}(${a}, ${b})`);
    const { code } = s;
    const byZero = code.let(`${b} == 0`);
    const byMinusOne = code.let(`${b} == -1`);
    const divisor = code.let(`torch.where(${byZero} | ${byMinusOne}, torch.ones_like(${b}), ${b})`);
    const quotient = code.let(
      `torch.where(${byMinusOne}, torch.neg(${a}), torch.div(${a}, ${divisor}, rounding_mode="trunc"))`,
    );
    return code.let(`torch.where(${byZero}, torch.zeros_like(${quotient}), ${quotient})`);
  };
}

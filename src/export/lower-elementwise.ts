import { declaredFloat } from "../kernels/declaration/declared-float.js";
import type { UnaryKernelId } from "../kernels/library/index.js";
import { pyFloat } from "./py-code.js";
import { required, type TorchLowering } from "./torch-lowering.js";

/** The torch expression of each unary kernel on a tensor `x` with params `p`, in the reference's order of operations. */
const UNARY: Readonly<Record<UnaryKernelId, (x: string, p: unknown) => string>> = {
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
  // Exact GELU, 0.5 · x · (1 + erf(x / √2)), as its declaration groups it.
  gelu_erf: (x) => `(0.5 * ${x}) * (1.0 + torch.erf(${x} / ${pyFloat(Math.SQRT2)}))`,
  sigmoid: (x) => `torch.sigmoid(${x})`,
  // max(0, min(1, alpha · x + beta)); clamp keeps NaN as max/min do.
  hard_sigmoid: (x, p) =>
    `torch.clamp(${pyFloat(declaredFloat(p, "alpha", 0.2))} * ${x} + ${pyFloat(declaredFloat(p, "beta", 0.5))}, min=0.0, max=1.0)`,
  // min(max(x, lo), hi): a lower bound above the upper one gives the upper, as in the reference.
  clip: (x, p) =>
    `torch.clamp_max(torch.clamp_min(${x}, ${pyFloat(declaredFloat(p, "min", -3.4028234663852886e38))}), ${pyFloat(declaredFloat(p, "max", 3.4028234663852886e38))})`,
  tanh: (x) => `torch.tanh(${x})`,
  // + 0 turns −0 into 0, as the reference's sign does.
  sign: (x) => `torch.sign(${x}) + 0`,
};

/** The lowering of a unary elementwise kernel: identity projections, so input and output boxes agree. */
export function unaryLowering(id: UnaryKernelId): TorchLowering {
  return (s) => s.code.let(UNARY[id](required(s, "x"), s.params));
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

/** `scale`: x · factor + shift, elementwise. */
export const scaleLowering: TorchLowering = (s) =>
  s.code.let(
    `${required(s, "x")} * ${pyFloat(declaredFloat(s.params, "factor", 1))} + ${pyFloat(declaredFloat(s.params, "shift", 0))}`,
  );

/** `gelu_erf_grad`: dy · (Φ(x) + x · φ(x)), term by term as its declaration. */
export const geluErfGradLowering: TorchLowering = (s) => {
  const x = required(s, "x");
  const dy = required(s, "dy");
  const cdf = `0.5 * (1.0 + torch.erf(${x} / ${pyFloat(Math.SQRT2)}))`;
  const density = `torch.exp((-0.5 * ${x}) * ${x}) / ${pyFloat(Math.sqrt(2 * Math.PI))}`;
  return s.code.let(`${dy} * (${cdf} + ${x} * ${density})`);
};

/** `gelu_grad`: dy · gelu'(x) for the tanh approximation, term by term as its declaration. */
export const geluGradLowering: TorchLowering = (s) => {
  const x = required(s, "x");
  const dy = required(s, "dy");
  const { code } = s;
  const c = pyFloat(Math.sqrt(2 / Math.PI));
  const t = code.let(`torch.tanh(${c} * (${x} + ((0.044715 * ${x}) * ${x}) * ${x}))`);
  return code.let(
    `${dy} * (0.5 * (1.0 + ${t}) + (((((0.5 * ${x}) * (1.0 - ${t} * ${t})) * ${c}) * (1.0 + ((0.134145 * ${x}) * ${x})))))`,
  );
};

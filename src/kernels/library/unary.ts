import { builtinDeclaredKernel } from "../declaration/compile.js";
import type { DeclaredParams, KernelDeclaration } from "../declaration/types.js";
import type { KernelDef } from "../kernel.js";
import { UNARY_VJPS } from "./gradients/elementwise-vjps.js";

/** The ids of the built-in elementwise unary kernels. */
export type UnaryKernelId =
  | "neg"
  | "abs"
  | "exp"
  | "log"
  | "sqrt"
  | "relu"
  | "gelu"
  | "sigmoid"
  | "tanh"
  | "sign";

/** What every unary kernel shares: inputs of every rank, `x` → `out` element by element through identity projections. */
export const ELEMENTWISE = {
  version: 1,
  inputs: [{ name: "x", shape: "[$s...]", dtype: "T" }],
  outputs: [{ name: "out", shape: "[$s...]", dtype: "T" }],
  index: "[d...: $s...]",
  projections: { x: "[d...]", out: "[d...]" },
} as const;

/** The dtype variable of kernels over the reals. */
export const FLOATS = { T: ["float32", "float64"] } as const;
const NUMBERS = { T: ["float32", "float64", "int32"] } as const;

/**
 * The unary kernels as declarations — the same format a user writes in a YAML file, so the
 * built-ins exercise the declaration path they rely on. gelu is the tanh approximation.
 */
export const UNARY_DECLARATIONS: { readonly [K in UnaryKernelId]: KernelDeclaration } = {
  neg: { ...ELEMENTWISE, kernel: "neg", summary: "negation, -x", dtypes: NUMBERS, compute: "-x" },
  abs: { ...ELEMENTWISE, kernel: "abs", summary: "absolute value, |x|", dtypes: NUMBERS, compute: "abs(x)" },
  exp: { ...ELEMENTWISE, kernel: "exp", summary: "exponential, e^x", dtypes: FLOATS, compute: "exp(x)" },
  log: { ...ELEMENTWISE, kernel: "log", summary: "natural logarithm", dtypes: FLOATS, compute: "log(x)" },
  sqrt: { ...ELEMENTWISE, kernel: "sqrt", summary: "square root", dtypes: FLOATS, compute: "sqrt(x)" },
  relu: {
    ...ELEMENTWISE,
    kernel: "relu",
    summary: "rectified linear unit, max(x, 0)",
    dtypes: NUMBERS,
    compute: "max(x, 0)",
  },
  gelu: {
    ...ELEMENTWISE,
    kernel: "gelu",
    summary: "Gaussian error linear unit (tanh approximation)",
    dtypes: FLOATS,
    compute: "0.5 * x * (1 + tanh(sqrt(2 / 3.141592653589793) * (x + 0.044715 * x * x * x)))",
  },
  sigmoid: {
    ...ELEMENTWISE,
    kernel: "sigmoid",
    summary: "logistic sigmoid, 1 / (1 + e^-x)",
    dtypes: FLOATS,
    compute: "sigmoid(x)",
  },
  tanh: { ...ELEMENTWISE, kernel: "tanh", summary: "hyperbolic tangent", dtypes: FLOATS, compute: "tanh(x)" },
  sign: {
    ...ELEMENTWISE,
    kernel: "sign",
    summary: "sign of x: -1, 0 or 1 (NaN stays NaN)",
    dtypes: NUMBERS,
    compute: "sign(x)",
  },
};

function unaryKernel(id: UnaryKernelId): KernelDef<DeclaredParams> {
  return { ...builtinDeclaredKernel(UNARY_DECLARATIONS[id]), vjp: UNARY_VJPS[id] };
}

/** The unary kernels compiled from their declarations, with their VJPs, keyed by id. */
export const UNARY_KERNELS: { readonly [K in UnaryKernelId]: KernelDef<DeclaredParams> } = {
  neg: unaryKernel("neg"),
  abs: unaryKernel("abs"),
  exp: unaryKernel("exp"),
  log: unaryKernel("log"),
  sqrt: unaryKernel("sqrt"),
  relu: unaryKernel("relu"),
  gelu: unaryKernel("gelu"),
  sigmoid: unaryKernel("sigmoid"),
  tanh: unaryKernel("tanh"),
  sign: unaryKernel("sign"),
};

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
  | "gelu_erf"
  | "sigmoid"
  | "hard_sigmoid"
  | "clip"
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

/** What the gradients of unary kernels share: `x` and the cotangent `dy` → `out`, element by element, over the reals. */
export const ELEMENTWISE_GRAD = {
  version: 1,
  dtypes: FLOATS,
  inputs: [
    { name: "x", shape: "[$s...]", dtype: "T" },
    { name: "dy", shape: "[$s...]", dtype: "T" },
  ],
  outputs: [{ name: "out", shape: "[$s...]", dtype: "T" }],
  index: "[d...: $s...]",
  projections: { x: "[d...]", dy: "[d...]", out: "[d...]" },
} as const;
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
  gelu_erf: {
    ...ELEMENTWISE,
    kernel: "gelu_erf",
    summary: "Gaussian error linear unit, exact: x · Φ(x) through erf",
    dtypes: FLOATS,
    compute: "0.5 * x * (1 + erf(x / sqrt(2)))",
  },
  sigmoid: {
    ...ELEMENTWISE,
    kernel: "sigmoid",
    summary: "logistic sigmoid, 1 / (1 + e^-x)",
    dtypes: FLOATS,
    compute: "sigmoid(x)",
  },
  hard_sigmoid: {
    ...ELEMENTWISE,
    kernel: "hard_sigmoid",
    summary: "piecewise-linear sigmoid, max(0, min(1, alpha · x + beta))",
    dtypes: FLOATS,
    params: { alpha: { type: "float", default: 0.2 }, beta: { type: "float", default: 0.5 } },
    compute: "max(0, min(1, @alpha * x + @beta))",
  },
  clip: {
    ...ELEMENTWISE,
    kernel: "clip",
    summary: "x clamped to [min, max]",
    dtypes: FLOATS,
    // The defaults are float32's extremes, as ONNX Clip's absent bounds are the type's limits.
    params: {
      min: { type: "float", default: -3.4028234663852886e38 },
      max: { type: "float", default: 3.4028234663852886e38 },
    },
    compute: "min(max(x, @min), @max)",
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

/** The kernel of `id` with its VJP when it has one (without, `grad` refuses it as not_differentiable). */
function unaryKernel(id: UnaryKernelId): KernelDef<DeclaredParams> {
  const def = builtinDeclaredKernel(UNARY_DECLARATIONS[id]);
  const vjp = id in UNARY_VJPS ? UNARY_VJPS[id as keyof typeof UNARY_VJPS] : undefined;
  return vjp === undefined ? def : { ...def, vjp };
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
  gelu_erf: unaryKernel("gelu_erf"),
  hard_sigmoid: unaryKernel("hard_sigmoid"),
  clip: unaryKernel("clip"),
  sigmoid: unaryKernel("sigmoid"),
  tanh: unaryKernel("tanh"),
  sign: unaryKernel("sign"),
};

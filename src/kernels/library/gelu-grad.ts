import { builtinDeclaredKernel } from "../declaration/compile.js";
import type { DeclaredParams, KernelDeclaration } from "../declaration/types.js";
import type { KernelDef } from "../kernel.js";
import { ELEMENTWISE_GRAD } from "./unary.js";

// u = √(2/π)·(x + 0.044715·x³); gelu = ½·x·(1 + tanh u), so
// gelu' = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²).
const U = "(sqrt(2 / 3.141592653589793) * (x + 0.044715 * x * x * x))";

/**
 * `gelu_grad`: `dy · gelu'(x)` for the tanh-approximated gelu, elementwise — the VJP of `gelu`,
 * declared as data. Not itself differentiable (no second derivatives).
 */
export const GELU_GRAD_DECLARATION: KernelDeclaration = {
  ...ELEMENTWISE_GRAD,
  kernel: "gelu_grad",
  summary: "dy · gelu'(x), the gelu (tanh approximation) gradient, elementwise",
  compute: `dy * (0.5 * (1 + tanh(${U})) + 0.5 * x * (1 - tanh(${U}) * tanh(${U})) * sqrt(2 / 3.141592653589793) * (1 + 0.134145 * x * x))`,
};

/** The `gelu_grad` kernel. */
export const GELU_GRAD_KERNEL: KernelDef<DeclaredParams> = builtinDeclaredKernel(GELU_GRAD_DECLARATION);

import { builtinDeclaredKernel } from "../declaration/compile.js";
import type { DeclaredParams, KernelDeclaration } from "../declaration/types.js";
import type { KernelDef } from "../kernel.js";
import { ELEMENTWISE_GRAD } from "./unary.js";

// gelu_erf = x · Φ(x) with Φ(x) = ½·(1 + erf(x/√2)), so gelu_erf' = Φ(x) + x · φ(x) with the
// normal density φ(x) = e^(−x²/2) / √(2π).

/**
 * `gelu_erf_grad`: `dy · gelu_erf'(x)` for the exact (erf) gelu, elementwise — the VJP of
 * `gelu_erf`, declared as data. Not itself differentiable (no second derivatives).
 */
export const GELU_ERF_GRAD_DECLARATION: KernelDeclaration = {
  ...ELEMENTWISE_GRAD,
  kernel: "gelu_erf_grad",
  summary: "dy · gelu_erf'(x) = dy · (Φ(x) + x · φ(x)), the exact gelu gradient, elementwise",
  compute: "dy * (0.5 * (1 + erf(x / sqrt(2))) + x * exp(-0.5 * x * x) / sqrt(2 * 3.141592653589793))",
};

/** The `gelu_erf_grad` kernel. */
export const GELU_ERF_GRAD_KERNEL: KernelDef<DeclaredParams> =
  builtinDeclaredKernel(GELU_ERF_GRAD_DECLARATION);

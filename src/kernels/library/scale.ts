import { builtinDeclaredKernel } from "../declaration/compile.js";
import type { DeclaredParams, KernelDeclaration } from "../declaration/types.js";
import type { KernelDef } from "../kernel.js";
import { UNARY_VJPS } from "./gradients/elementwise-vjps.js";
import { ELEMENTWISE, FLOATS } from "./unary.js";

/**
 * `scale`: `x · factor + shift` elementwise, declared as data. Gradients use it for constant
 * factors (a mean's `1/N`, `1 − y`, a learning rate) without constant tensors in the program.
 */
export const SCALE_DECLARATION: KernelDeclaration = {
  ...ELEMENTWISE,
  kernel: "scale",
  summary: "x · factor + shift, elementwise (factor default 1, shift default 0)",
  dtypes: FLOATS,
  params: {
    factor: { type: "float", default: 1, summary: "multiplies x" },
    shift: { type: "float", default: 0, summary: "added after the product" },
  },
  compute: "x * @factor + @shift",
};

/** The `scale` kernel, with its VJP (`dx = dout · factor`). */
export const SCALE_KERNEL: KernelDef<DeclaredParams> = {
  ...builtinDeclaredKernel(SCALE_DECLARATION),
  vjp: UNARY_VJPS.scale,
};

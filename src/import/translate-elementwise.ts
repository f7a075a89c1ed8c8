import type { UnaryKernelId } from "../kernels/library/index.js";
import { broadcastDims, constBinary, dimsOf, type OnnxValue } from "./onnx-value.js";
import type { Translation } from "./translation.js";

type BinaryKernel = "add" | "sub" | "mul" | "div";

const isInteger = (v: OnnxValue) => v.kind === "const" && v.type !== "float32" && v.type !== "float64";

const FOLD: Readonly<Record<BinaryKernel, (x: number, y: number, ints: boolean) => number>> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  // ONNX integer division truncates toward zero.
  div: (x, y, ints) => (ints ? Math.trunc(x / y) : x / y),
};

/** Add, Sub, Mul, Div: folded when both operands are constants (shape arithmetic), else the kernel. */
export function binary(kernel: BinaryKernel): Translation {
  return (node, ctx) => {
    const a = ctx.input(node, 0);
    const b = ctx.input(node, 1);
    if (a.kind === "const" && b.kind === "const") {
      const dims = broadcastDims(a.dims, b.dims);
      if (dims === undefined) {
        throw ctx.invalid(
          node,
          `operands of dims [${a.dims.join(", ")}] and [${b.dims.join(", ")}] do not broadcast`,
          {
            a: a.dims.slice(),
            b: b.dims.slice(),
          },
        );
      }
      const ints = isInteger(a) && isInteger(b);
      return constBinary(node.outputs[0]!, a, b, dims, (x, y) => FOLD[kernel](x, y, ints));
    }
    const out = ctx.apply(
      kernel,
      { a: ctx.asTensor(a, node), b: ctx.asTensor(b, node) },
      {},
      node.outputs[0]!,
    );
    return { kind: "tensor", ref: out };
  };
}

/** A unary ONNX operator onto a built-in unary kernel. */
export function unary(kernel: UnaryKernelId): Translation {
  return (node, ctx) => ({
    kind: "tensor",
    ref: ctx.apply(kernel, { x: ctx.tensor(node, 0) }, {}, node.outputs[0]!),
  });
}

/** Identity and inference-mode Dropout: the output is the input value itself. */
export const passThrough: Translation = (node, ctx) => ctx.input(node, 0);

/**
 * Pow with a constant exponent: 1 is the input, 2 is `x · x`, 0.5 is `sqrt(x)`; other exponents
 * (and a computed one) are refused, since no kernel raises to a power.
 */
export const pow: Translation = (node, ctx) => {
  const e = ctx.constInput(node, 1, "exponent");
  const p = e.values.length === 1 ? e.values[0]! : Number.NaN;
  const x = ctx.input(node, 0);
  const out = node.outputs[0]!;
  const wider = dimsOf(x).length >= e.dims.length;
  if (p === 1 && wider) return x;
  if (p === 2 && wider) {
    const t = ctx.asTensor(x, node);
    return { kind: "tensor", ref: ctx.apply("mul", { a: t, b: t }, {}, out) };
  }
  if (p === 0.5 && wider)
    return { kind: "tensor", ref: ctx.apply("sqrt", { x: ctx.asTensor(x, node) }, {}, out) };
  throw ctx.unsupported(
    node,
    `only the constant exponents 1, 2 and 0.5 are translated, found ${e.values.length === 1 ? p : `a tensor of dims [${e.dims.join(", ")}]`}`,
    {
      exponent: Number.isNaN(p) ? null : p,
    },
  );
};

/** float32's largest finite value: ONNX Clip's bound when one is absent. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Clip (bounds as attributes before opset 11, as optional constant inputs from it). */
export const clip: Translation = (node, ctx) => {
  let min = -FLOAT32_MAX;
  let max = FLOAT32_MAX;
  if (ctx.opset < 11) {
    min = ctx.float(node, "min", min);
    max = ctx.float(node, "max", max);
  } else {
    if (ctx.optional(node, 1) !== undefined) min = ctx.constInput(node, 1, "min").values[0] ?? min;
    if (ctx.optional(node, 2) !== undefined) max = ctx.constInput(node, 2, "max").values[0] ?? max;
  }
  return {
    kind: "tensor",
    ref: ctx.apply("clip", { x: ctx.tensor(node, 0) }, { min, max }, node.outputs[0]!),
  };
};

/** HardSigmoid `max(0, min(1, alpha · x + beta))`. */
export const hardSigmoid: Translation = (node, ctx) => {
  const params = { alpha: ctx.float(node, "alpha", 0.2), beta: ctx.float(node, "beta", 0.5) };
  return {
    kind: "tensor",
    ref: ctx.apply("hard_sigmoid", { x: ctx.tensor(node, 0) }, params, node.outputs[0]!),
  };
};

/** Gelu (opset 20): `approximate` "none" is the exact (erf) form, "tanh" the tanh approximation. */
export const gelu: Translation = (node, ctx) => {
  const approximate = ctx.string(node, "approximate", "none");
  if (approximate !== "none" && approximate !== "tanh") {
    throw ctx.invalid(node, `approximate '${approximate}' is not "none" or "tanh"`, { approximate });
  }
  const kernel = approximate === "tanh" ? "gelu" : "gelu_erf";
  return { kind: "tensor", ref: ctx.apply(kernel, { x: ctx.tensor(node, 0) }, {}, node.outputs[0]!) };
};

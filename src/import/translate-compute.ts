import type { TensorRef } from "../kernels/tensor-ref.js";
import type { ImportContext } from "./import-context.js";
import type { OnnxNode } from "./onnx-model.js";
import { constant, constTranspose, dimsOf, intsOf, type OnnxValue } from "./onnx-value.js";
import { reshapeValue } from "./translate-layout.js";
import type { Translation } from "./translation.js";

const tensor = (ref: TensorRef): OnnxValue => ({ kind: "tensor", ref });

/** MatMul: numpy `matmul`, as the matmul kernel. */
export const matMul: Translation = (node, ctx) =>
  tensor(ctx.apply("matmul", { a: ctx.tensor(node, 0), b: ctx.tensor(node, 1) }, {}, node.outputs[0]!));

/** `v` transposed as a matrix: constants at import, tensors by a transpose operation. */
function transposed(ctx: ImportContext, v: OnnxValue, out: string): OnnxValue {
  if (v.kind === "const") return constTranspose(`${v.name}.T`, v, [1, 0]);
  return tensor(ctx.apply("transpose", { x: v.ref }, { perm: [1, 0] }, ctx.freshId(out)));
}

/** Multiplies `v` by a scalar `k` (a constant folded at import). */
function scaled(ctx: ImportContext, node: OnnxNode, v: OnnxValue, k: number, out: string): OnnxValue {
  if (k === 1) return v;
  if (v.kind === "const")
    return constant(
      `${v.name}.scaled`,
      v.type,
      v.dims,
      Array.from(v.values, (x) => x * k),
    );
  const factor = ctx.asTensor(constant(`${out}.factor`, "float32", [], [k]), node);
  return tensor(ctx.apply("mul", { a: v.ref, b: factor }, {}, ctx.freshId(out)));
}

/**
 * Gemm `alpha · A' · B' + beta · C` (A', B' optionally transposed): `linear` when it is
 * `A · B + c` with a vector bias, else matmul, scaling and add. Constant operands are
 * transposed and scaled at import, so exported weights cost nothing at run time.
 */
export const gemm: Translation = (node, ctx) => {
  const out = node.outputs[0]!;
  const a = ctx.input(node, 0);
  const b = ctx.input(node, 1);
  const c = ctx.optional(node, 2);
  const alpha = ctx.float(node, "alpha", 1);
  const beta = ctx.float(node, "beta", 1);
  const aT = ctx.int(node, "transA", 0) === 1 ? transposed(ctx, a, out) : a;
  const bT = ctx.int(node, "transB", 0) === 1 ? transposed(ctx, b, out) : b;
  const w = b.kind === "const" ? scaled(ctx, node, bT, alpha, out) : bT;
  const x = b.kind === "const" ? aT : scaled(ctx, node, aT, alpha, out);
  const bias = c === undefined ? undefined : scaled(ctx, node, c, beta, out);
  const n = dimsOf(w)[1]!;
  if (bias === undefined || (dimsOf(bias).length === 1 && dimsOf(bias)[0] === n)) {
    const xt = ctx.asTensor(x, node);
    const wt = ctx.asTensor(w, node);
    return tensor(
      ctx.apply(
        "linear",
        { x: xt, w: wt, b: bias === undefined ? undefined : ctx.asTensor(bias, node) },
        {},
        out,
      ),
    );
  }
  const product = ctx.apply(
    "matmul",
    { a: ctx.asTensor(x, node), b: ctx.asTensor(w, node) },
    {},
    ctx.freshId(out),
  );
  return tensor(ctx.apply("add", { a: product, b: ctx.asTensor(bias, node) }, {}, out));
};

/** The symmetric per-dimension padding of a 2-D window op, or throws for asymmetric or SAME_* padding. */
export function windowPadding(
  ctx: ImportContext,
  node: OnnxNode,
  spatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): [number, number] {
  const autoPad = ctx.string(node, "auto_pad", "NOTSET");
  let pads: readonly number[];
  if (autoPad === "VALID") pads = [0, 0, 0, 0];
  else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const total = spatial.map((s, i) => {
      const out = Math.ceil(s / strides[i]!);
      return Math.max((out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - s, 0);
    });
    pads = [
      Math.floor(total[0]! / 2),
      Math.floor(total[1]! / 2),
      Math.ceil(total[0]! / 2),
      Math.ceil(total[1]! / 2),
    ];
  } else if (autoPad === "NOTSET") pads = ctx.ints(node, "pads", [0, 0, 0, 0]);
  else throw ctx.invalid(node, `auto_pad '${autoPad}' is not an ONNX value`, { autoPad });
  if (pads.length !== 4 || pads[0] !== pads[2] || pads[1] !== pads[3]) {
    throw ctx.unsupported(
      node,
      `pads [${pads.join(", ")}] are not the same on both sides of each dimension`,
      {
        pads: pads.slice(),
      },
    );
  }
  return [pads[0]!, pads[1]!];
}

/** The attribute `name` of a 2-D window op as a pair (default `[fallback, fallback]`). */
export function pair(ctx: ImportContext, node: OnnxNode, name: string, fallback: number): [number, number] {
  const v = ctx.ints(node, name, [fallback, fallback]);
  if (v.length !== 2)
    throw ctx.unsupported(node, `${name} [${v.join(", ")}]: only 2-D windows are translated`, {
      [name]: v.slice(),
    });
  return [v[0]!, v[1]!];
}

/** Adds a per-channel bias `[C]` to an NCHW tensor. */
export function addChannelBias(
  ctx: ImportContext,
  node: OnnxNode,
  y: TensorRef,
  bias: OnnxValue,
  id: string,
): TensorRef {
  const channels = dimsOf(bias)[0]!;
  const b = reshapeValue(
    ctx,
    node,
    bias,
    [channels, 1, 1],
    bias.kind === "const" ? bias.name : ctx.freshId(id),
  );
  return ctx.apply("add", { a: y, b: ctx.asTensor(b, node) }, {}, id);
}

/** Conv (2-D, NCHW): conv2d, then a per-channel add for the bias. */
export const conv: Translation = (node, ctx) => {
  const out = node.outputs[0]!;
  const x = ctx.tensor(node, 0);
  const wDims = ctx.dims(node, 1);
  if (x.shape.length !== 4 || wDims.length !== 4) {
    throw ctx.unsupported(node, `only 2-D convolutions (NCHW) are translated; x has rank ${x.shape.length}`, {
      rank: x.shape.length,
    });
  }
  const w = ctx.tensor(node, 1);
  const strides = pair(ctx, node, "strides", 1);
  const dilations = pair(ctx, node, "dilations", 1);
  const kernel = wDims.slice(2);
  const padding = windowPadding(ctx, node, x.shape.slice(2), kernel, strides, dilations);
  const bias = ctx.optional(node, 2);
  const params = { stride: strides, padding, dilation: dilations, groups: ctx.int(node, "group", 1) };
  const y = ctx.apply("conv2d", { x, w }, params, bias === undefined ? out : ctx.freshId(out));
  return tensor(bias === undefined ? y : addChannelBias(ctx, node, y, bias, out));
};

/**
 * BatchNormalization (inference) on its own: `x · s + t` per channel, `s = γ / √(σ² + ε)` and
 * `t = β − μ·s` computed at import. (After a Conv it is folded into the filters instead; see
 * `fold-batch-norm.ts`.)
 */
export const batchNorm: Translation = (node, ctx) => {
  const out = node.outputs[0]!;
  const x = ctx.tensor(node, 0);
  const { scale, shift } = batchNormAffine(ctx, node);
  const dims = [scale.length, ...x.shape.slice(2).map(() => 1)];
  const s = ctx.asTensor(constant(`${out}.scale`, "float32", dims, scale), node);
  const t = ctx.asTensor(constant(`${out}.shift`, "float32", dims, shift), node);
  const scaledX = ctx.apply("mul", { a: x, b: s }, {}, ctx.freshId(out));
  return tensor(ctx.apply("add", { a: scaledX, b: t }, {}, out));
};

/** The per-channel scale and shift of an inference BatchNormalization, from its constant inputs. */
export function batchNormAffine(ctx: ImportContext, node: OnnxNode): { scale: number[]; shift: number[] } {
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) =>
    ctx.constInput(node, i, "batch-norm statistics"),
  );
  if (node.outputs.slice(1).some((o) => o !== "")) {
    throw ctx.unsupported(
      node,
      "training-mode BatchNormalization (running statistics as outputs) is not translated",
      {},
    );
  }
  const eps = ctx.float(node, "epsilon", 1e-5);
  const scale = Array.from(gamma!.values, (g, c) => g / Math.sqrt(variance!.values[c]! + eps));
  const shift = Array.from(beta!.values, (b, c) => b - mean!.values[c]! * scale[c]!);
  return { scale, shift };
}

/** GlobalAveragePool: the mean over every spatial dimension, kept as size 1. */
export const globalAveragePool: Translation = (node, ctx) => {
  const x = ctx.tensor(node, 0);
  const dims = x.shape.slice(2).map((_, i) => i + 2);
  return tensor(ctx.apply("mean", { x }, { dims, keepdims: true }, node.outputs[0]!));
};

/** ReduceSum/Mean/Max/Min: axes an attribute until the opset where they became an input. */
export function reduce(kernel: "sum" | "mean" | "max" | "min", axesInputFrom: number): Translation {
  return (node, ctx) => {
    const x = ctx.tensor(node, 0);
    const keepdims = ctx.int(node, "keepdims", 1) === 1;
    let axes: number[] | undefined;
    if (ctx.opset < axesInputFrom) axes = ctx.ints(node, "axes")?.slice();
    else if (ctx.optional(node, 1) !== undefined) axes = intsOf(ctx.constInput(node, 1, "axes"));
    if (axes !== undefined && axes.length === 0) axes = undefined;
    if (axes === undefined && ctx.int(node, "noop_with_empty_axes", 0) === 1) return tensor(x);
    const dims = axes?.map((a) => ctx.axis(node, a, x.shape.length));
    const params = dims === undefined ? { keepdims } : { dims, keepdims };
    return tensor(ctx.apply(kernel, { x }, params, node.outputs[0]!));
  };
}

/**
 * Softmax. From opset 13 it normalizes along `axis` (default -1); before, it flattened the
 * input into `[before axis, from axis on]` rows (axis default 1), so a non-last axis goes
 * through a reshape.
 */
export const softmax: Translation = (node, ctx) => {
  const out = node.outputs[0]!;
  const x = ctx.tensor(node, 0);
  const rank = x.shape.length;
  const axis = ctx.axis(node, ctx.int(node, "axis", ctx.opset < 13 ? 1 : -1), rank);
  if (ctx.opset >= 13 || axis === rank - 1) return tensor(ctx.apply("softmax", { x }, { dim: axis }, out));
  const rows = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const cols = x.shape.slice(axis).reduce((a, b) => a * b, 1);
  const flat = ctx.apply("reshape", { x }, { shape: [rows, cols] }, ctx.freshId(out));
  const y = ctx.apply("softmax", { x: flat }, { dim: 1 }, ctx.freshId(out));
  return tensor(ctx.apply("reshape", { x: y }, { shape: x.shape }, out));
};

/** LayerNormalization (opset 17): normalizes the dimensions from `axis` on, with scale and bias. */
export const layerNormalization: Translation = (node, ctx) => {
  const x = ctx.tensor(node, 0);
  const rank = x.shape.length;
  const axis = ctx.axis(node, ctx.int(node, "axis", -1), rank);
  if (node.outputs.slice(1).some((o) => o !== "")) {
    throw ctx.unsupported(
      node,
      "the mean and inverse-deviation outputs of LayerNormalization are not translated",
      {},
    );
  }
  const weight = ctx.tensor(node, 1);
  const biasValue = ctx.optional(node, 2);
  const bias = biasValue === undefined ? undefined : ctx.asTensor(biasValue, node);
  const params = { normalizedDims: rank - axis, eps: ctx.float(node, "epsilon", 1e-5) };
  return tensor(ctx.apply("layer_norm", { x, weight, bias }, params, node.outputs[0]!));
};

/** MaxPool (2-D): max_pool2d; the indices output and `ceil_mode` are not translated. */
export const maxPool: Translation = (node, ctx) => {
  const x = ctx.tensor(node, 0);
  if (x.shape.length !== 4) {
    throw ctx.unsupported(node, `only 2-D pooling (NCHW) is translated; x has rank ${x.shape.length}`, {
      rank: x.shape.length,
    });
  }
  if (ctx.int(node, "ceil_mode", 0) !== 0)
    throw ctx.unsupported(node, "ceil_mode 1 is not translated", { ceilMode: 1 });
  if (node.outputs.slice(1).some((o) => o !== ""))
    throw ctx.unsupported(node, "the Indices output of MaxPool is not translated", {});
  const kernel = pair(ctx, node, "kernel_shape", 1);
  if (node.attributes.get("kernel_shape") === undefined)
    throw ctx.invalid(node, "MaxPool needs kernel_shape", {});
  const stride = pair(ctx, node, "strides", 1);
  const dilation = pair(ctx, node, "dilations", 1);
  const padding = windowPadding(ctx, node, x.shape.slice(2), kernel, stride, dilation);
  return tensor(ctx.apply("max_pool2d", { x }, { kernel, stride, padding, dilation }, node.outputs[0]!));
};

/**
 * ConvTranspose (2-D) with strides equal to the filter size, no padding, dilation 1 and one
 * group — the upsampling heads detectors use — as conv_transpose2d, then the bias per channel.
 */
export const convTranspose: Translation = (node, ctx) => {
  const out = node.outputs[0]!;
  const x = ctx.tensor(node, 0);
  const wDims = ctx.dims(node, 1);
  if (x.shape.length !== 4 || wDims.length !== 4) {
    throw ctx.unsupported(
      node,
      `only 2-D transposed convolutions (NCHW) are translated; x has rank ${x.shape.length}`,
      {
        rank: x.shape.length,
      },
    );
  }
  const kernel = [wDims[2]!, wDims[3]!];
  const strides = pair(ctx, node, "strides", 1);
  const plain =
    ctx.int(node, "group", 1) === 1 &&
    pair(ctx, node, "dilations", 1).every((d) => d === 1) &&
    ctx.ints(node, "pads", [0, 0, 0, 0]).every((p) => p === 0) &&
    ctx.ints(node, "output_padding", [0, 0]).every((p) => p === 0) &&
    ctx.ints(node, "output_shape") === undefined &&
    ctx.string(node, "auto_pad", "NOTSET") === "NOTSET";
  if (!plain || strides[0] !== kernel[0] || strides[1] !== kernel[1]) {
    throw ctx.unsupported(
      node,
      `only transposed convolutions with strides equal to the filter size [${kernel.join(", ")}] and no padding, dilation, groups or output shape are translated`,
      { strides: strides.slice(), kernel },
    );
  }
  const bias = ctx.optional(node, 2);
  const y = ctx.apply(
    "conv_transpose2d",
    { x, w: ctx.tensor(node, 1) },
    { stride: strides },
    bias === undefined ? out : ctx.freshId(out),
  );
  return tensor(bias === undefined ? y : addChannelBias(ctx, node, y, bias, out));
};

/** Coordinate modes under which nearest resizing by an integer factor `s` reads pixel `⌊i / s⌋` with any rounding. */
const CENTRED = new Set(["half_pixel", "pytorch_half_pixel"]);
/** Coordinate modes under which it does so only when rounding down. */
const FLOORED = new Set(["asymmetric", "tf_half_pixel_for_nn"]);

/**
 * Resize (opset 11 on) by integer factors on the two spatial dims, nearest mode: each pixel
 * becomes a block (upsample_nearest2d). With an integer factor `s`, the centred modes map output
 * `i` to `q + (r + ½)/s − ½` (`i = q·s + r`), strictly within ½ of `q`, so any rounding picks `q`;
 * the asymmetric modes need `nearest_mode: floor`.
 */
export const resize: Translation = (node, ctx) => {
  const out = node.outputs[0]!;
  const x = ctx.tensor(node, 0);
  if (ctx.opset < 11)
    throw ctx.unsupported(node, "Resize before opset 11 is not translated", { opset: ctx.opset });
  const mode = ctx.string(node, "mode", "nearest");
  const coords = ctx.string(node, "coordinate_transformation_mode", "half_pixel");
  const rounding = ctx.string(node, "nearest_mode", "round_prefer_floor");
  const exact = CENTRED.has(coords) || (FLOORED.has(coords) && rounding === "floor");
  let factors: number[] | undefined;
  if (ctx.optional(node, 3) !== undefined) {
    const sizes = intsOf(ctx.constInput(node, 3, "sizes"));
    factors = sizes.map((s, i) => s / x.shape[i]!);
  } else if (ctx.optional(node, 2) !== undefined) {
    factors = Array.from(ctx.constInput(node, 2, "scales").values);
  }
  const integral =
    factors !== undefined &&
    x.shape.length === 4 &&
    factors.length === 4 &&
    factors[0] === 1 &&
    factors[1] === 1 &&
    factors.slice(2).every((f) => Number.isInteger(f) && f >= 1);
  if (mode !== "nearest" || !exact || !integral) {
    throw ctx.unsupported(
      node,
      `only nearest Resize by integer factors of the two spatial dims of NCHW input is translated (mode '${mode}', coordinate_transformation_mode '${coords}', nearest_mode '${rounding}', factors [${factors?.join(", ") ?? ""}])`,
      { mode, coords, rounding },
    );
  }
  const scale: [number, number] = [factors![2]!, factors![3]!];
  return tensor(ctx.apply("upsample_nearest2d", { x }, { scale }, out));
};

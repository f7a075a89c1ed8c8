/**
 * Random small instances of every built-in kernel, by id: params and whole input tensors drawn
 * from a seeded stream (`rng`), over every dtype the kernel accepts. Values are those of
 * `randomRegion`: integers in [-5, 5] (so int32 division meets zero divisors), floats in [-2, 2).
 */
import type { DType } from "../../../src/base/dtype.js";
import { IssueCollector } from "../../../src/base/issue.js";
import type { BuiltinKernelId } from "../../../src/kernels/library/index.js";
import { maxPool2dSignature } from "../../../src/kernels/library/pool.js";
import { TS_KERNELS } from "../../../src/kernels/library/ts-kernels.js";
import type { Region } from "../../../src/kernels/region.js";
import { broadcastable, pick, randInt, randomRegion, shapeOf } from "../../kernels/library/kernel-harness.js";

/** One kernel instance: raw params and whole input tensors at the origin. */
export interface KernelCase {
  readonly params: unknown;
  readonly inputs: Readonly<Record<string, Region>>;
}

type Next = () => number;

const ALL: readonly DType[] = ["float32", "float64", "int32"];
const FLOATS: readonly DType[] = ["float32", "float64"];

const unary =
  (dtypes: readonly DType[]) =>
  (next: Next): KernelCase => ({
    params: {},
    inputs: { x: randomRegion(pick(next, dtypes), shapeOf(next, randInt(next, 0, 3), 5), next) },
  });

const binary = (next: Next): KernelCase => {
  const dtype = pick(next, ALL);
  const out = shapeOf(next, randInt(next, 0, 3));
  return {
    params: {},
    inputs: {
      a: randomRegion(dtype, broadcastable(next, out), next),
      b: randomRegion(dtype, broadcastable(next, out), next),
    },
  };
};

const reduce =
  (dtypes: readonly DType[]) =>
  (next: Next): KernelCase => {
    const shape = shapeOf(next, randInt(next, 1, 3), 5);
    const dims = shape.flatMap((_, d) => (next() < 0.5 ? [next() < 0.5 ? d : d - shape.length] : []));
    const params = next() < 0.2 ? { keepdims: next() < 0.5 } : { dims, keepdims: next() < 0.5 };
    return { params, inputs: { x: randomRegion(pick(next, dtypes), shape, next) } };
  };

const layoutInput = (next: Next, rank: number) => randomRegion(pick(next, ALL), shapeOf(next, rank), next);

/** A random conv2d geometry with its output extents, for the conv2d gradient kernels. */
function convGeometry(next: Next) {
  const dtype = pick(next, FLOATS);
  const groups = randInt(next, 1, 3);
  const [kh, kw] = shapeOf(next, 2, 3) as [number, number];
  const stride = [randInt(next, 1, 3), randInt(next, 1, 3)] as const;
  const padding = [randInt(next, 0, 2), randInt(next, 0, 2)] as const;
  const dilation = [randInt(next, 1, 2), randInt(next, 1, 2)] as const;
  const h = Math.max(randInt(next, 1, 7), dilation[0] * (kh - 1) + 1 - 2 * padding[0]);
  const w = Math.max(randInt(next, 1, 7), dilation[1] * (kw - 1) + 1 - 2 * padding[1]);
  const extent = (size: number, k: number, i: 0 | 1) =>
    Math.floor((size + 2 * padding[i] - dilation[i] * (k - 1) - 1) / stride[i]) + 1;
  const [cg, ocg] = shapeOf(next, 2, 3) as [number, number];
  return {
    dtype,
    groups,
    kh,
    kw,
    h,
    w,
    cg,
    ocg,
    n: randInt(next, 1, 2),
    oh: extent(h, kh, 0),
    ow: extent(w, kw, 1),
    params: { stride: [...stride], padding: [...padding], dilation: [...dilation], groups },
  };
}

/** A case generator for every built-in kernel. */
export const KERNEL_CASES: { readonly [K in BuiltinKernelId]: (next: Next) => KernelCase } = {
  neg: unary(ALL),
  abs: unary(ALL),
  exp: unary(FLOATS),
  log: unary(FLOATS),
  sqrt: unary(FLOATS),
  relu: unary(ALL),
  gelu: unary(FLOATS),
  gelu_erf: unary(FLOATS),
  hard_sigmoid: (next) => ({
    ...unary(FLOATS)(next),
    params: { alpha: pick(next, [0.2, 1 / 6, 0.5]), beta: pick(next, [0.5, 0.25]) },
  }),
  clip: (next) => ({
    ...unary(FLOATS)(next),
    params: next() < 0.3 ? { max: 1 } : { min: -1, max: pick(next, [0.5, 6]) },
  }),
  sigmoid: unary(FLOATS),
  tanh: unary(FLOATS),
  add: binary,
  sub: binary,
  mul: binary,
  div: binary,
  maximum: binary,
  minimum: binary,
  matmul: (next) => {
    const dtype = pick(next, ALL);
    const batch = shapeOf(next, randInt(next, 0, 2), 3);
    const [m, n, k] = shapeOf(next, 3, 7) as [number, number, number];
    const a = next() < 0.2 ? [k] : [...broadcastable(next, batch), m, k];
    const b = next() < 0.2 ? [k] : [...broadcastable(next, batch), k, n];
    return { params: {}, inputs: { a: randomRegion(dtype, a, next), b: randomRegion(dtype, b, next) } };
  },
  linear: (next) => {
    const dtype = pick(next, FLOATS);
    const [nIn, nOut] = shapeOf(next, 2, 7) as [number, number];
    const inputs: Record<string, Region> = {
      x: randomRegion(dtype, [...shapeOf(next, randInt(next, 0, 2), 3), nIn], next),
      w: randomRegion(dtype, [nIn, nOut], next),
    };
    if (next() < 0.7) inputs.b = randomRegion(dtype, [nOut], next);
    return { params: {}, inputs };
  },
  sum: reduce(ALL),
  max: reduce(ALL),
  min: reduce(ALL),
  mean: reduce(FLOATS),
  softmax: (next) => {
    const shape = shapeOf(next, randInt(next, 1, 3), 6);
    return {
      params: { dim: randInt(next, -shape.length, shape.length - 1) },
      inputs: { x: randomRegion(pick(next, FLOATS), shape, next) },
    };
  },
  layer_norm: (next) => {
    const dtype = pick(next, FLOATS);
    const shape = shapeOf(next, randInt(next, 1, 3), 6);
    const k = randInt(next, 1, shape.length);
    const inputs: Record<string, Region> = { x: randomRegion(dtype, shape, next) };
    if (next() < 0.6) inputs.weight = randomRegion(dtype, shape.slice(shape.length - k), next);
    if (next() < 0.6) inputs.bias = randomRegion(dtype, shape.slice(shape.length - k), next);
    return { params: { normalizedDims: k, eps: pick(next, [1e-5, 1e-3]) }, inputs };
  },
  max_pool2d: (next) => {
    const dtype = pick(next, FLOATS);
    const kernel = shapeOf(next, 2, 3);
    const stride = [randInt(next, 1, 3), randInt(next, 1, 3)];
    // ONNX Runtime wants pads smaller than the window, as pooling layers use them.
    const padding = kernel.map((k) => randInt(next, 0, Math.floor(k / 2)));
    const dilation = [randInt(next, 1, 2), randInt(next, 1, 2)];
    const [h, w] = [0, 1].map((i) => Math.max(randInt(next, 1, 7), dilation[i]! * (kernel[i]! - 1) + 1));
    const x = randomRegion(dtype, [randInt(next, 1, 2), randInt(next, 1, 3), h!, w!], next);
    return { params: { kernel, stride, padding, dilation }, inputs: { x } };
  },
  max_pool2d_grad: (next) => {
    const c = KERNEL_CASES.max_pool2d(next);
    const x = c.inputs.x!;
    const out = maxPool2dSignature(
      { x: { shape: x.range.shape.toArray(), dtype: x.dtype } },
      TS_KERNELS.max_pool2d.decodeParams(c.params, new IssueCollector(), "")!,
      new IssueCollector(),
      "",
    )!.outputs.out!;
    return { params: c.params, inputs: { x, dy: randomRegion(x.dtype, out.shape, next) } };
  },
  conv_transpose2d: (next) => {
    const dtype = pick(next, FLOATS);
    const [kh, kw] = shapeOf(next, 2, 3) as [number, number];
    const [n, ic, oc, h, w] = shapeOf(next, 5, 4) as [number, number, number, number, number];
    return {
      params: { stride: [kh, kw] },
      inputs: { x: randomRegion(dtype, [n, ic, h, w], next), w: randomRegion(dtype, [ic, oc, kh, kw], next) },
    };
  },
  upsample_nearest2d: (next) => {
    const x = randomRegion(pick(next, FLOATS), shapeOf(next, 4, 4), next);
    return { params: { scale: [randInt(next, 1, 3), randInt(next, 1, 3)] }, inputs: { x } };
  },
  conv2d: (next) => {
    const dtype = pick(next, FLOATS);
    const groups = randInt(next, 1, 3);
    const [kh, kw] = shapeOf(next, 2, 3) as [number, number];
    const stride = [randInt(next, 1, 3), randInt(next, 1, 3)];
    const padding = [randInt(next, 0, 2), randInt(next, 0, 2)];
    const dilation = [randInt(next, 1, 2), randInt(next, 1, 2)];
    // At least as tall and wide as the dilated kernel minus the padding, so an output exists.
    const h = Math.max(randInt(next, 1, 7), dilation[0]! * (kh - 1) + 1 - 2 * padding[0]!);
    const w = Math.max(randInt(next, 1, 7), dilation[1]! * (kw - 1) + 1 - 2 * padding[1]!);
    const [cg, ocg] = shapeOf(next, 2, 3) as [number, number];
    return {
      params: { stride, padding, dilation, groups },
      inputs: {
        x: randomRegion(dtype, [randInt(next, 1, 2), groups * cg, h, w], next),
        w: randomRegion(dtype, [groups * ocg, cg, kh, kw], next),
      },
    };
  },
  transpose: (next) => {
    const x = layoutInput(next, randInt(next, 0, 4));
    const rank = x.range.rank;
    const perm = Array.from({ length: rank }, (_, i) => i).sort(() => next() - 0.5);
    return {
      params: next() < 0.2 ? {} : { perm: perm.map((p) => (next() < 0.3 ? p - rank : p)) },
      inputs: { x },
    };
  },
  slice: (next) => {
    const x = layoutInput(next, randInt(next, 1, 3));
    const shape = x.range.shape.coords;
    const start = shape.map((s) => randInt(next, -s, s - 1));
    // Mostly past the start (negative bounds count from the end), sometimes anywhere: empty slices too.
    const end = shape.map((s, d) => {
      const from = start[d]! < 0 ? start[d]! + s : start[d]!;
      const e = next() < 0.8 ? randInt(next, from + 1, s + 1) : randInt(next, -s, s + 1);
      return next() < 0.3 && e < s ? e - s : e;
    });
    const step = shape.map(() => randInt(next, 1, 3));
    return { params: { start, end, step }, inputs: { x } };
  },
  broadcast_to: (next) => {
    const target = shapeOf(next, randInt(next, 0, 4));
    return {
      params: { shape: target },
      inputs: { x: randomRegion(pick(next, ALL), broadcastable(next, target), next) },
    };
  },
  copy: (next) => ({ params: {}, inputs: { x: layoutInput(next, randInt(next, 0, 3)) } }),
  sign: unary(ALL),
  scale: (next) => ({
    params: { factor: pick(next, [0, -1, 0.5, 3]), shift: pick(next, [0, 1, -0.25]) },
    inputs: { x: randomRegion(pick(next, FLOATS), shapeOf(next, randInt(next, 0, 3), 5), next) },
  }),
  gelu_erf_grad: (next) => KERNEL_CASES.gelu_grad(next),
  gelu_grad: (next) => {
    const dtype = pick(next, FLOATS);
    const shape = shapeOf(next, randInt(next, 0, 3), 5);
    return {
      params: {},
      inputs: { x: randomRegion(dtype, shape, next), dy: randomRegion(dtype, shape, next) },
    };
  },
  pad: (next) => {
    const x = layoutInput(next, randInt(next, 0, 3));
    const pads = () => x.range.shape.coords.map(() => randInt(next, 0, 2));
    return { params: { before: pads(), after: pads() }, inputs: { x } };
  },
  conv2d_input_grad: (next) => {
    const c = convGeometry(next);
    return {
      params: { ...c.params, inputSize: [c.h, c.w] },
      inputs: {
        dy: randomRegion(c.dtype, [c.n, c.groups * c.ocg, c.oh, c.ow], next),
        w: randomRegion(c.dtype, [c.groups * c.ocg, c.cg, c.kh, c.kw], next),
      },
    };
  },
  conv2d_weight_grad: (next) => {
    const c = convGeometry(next);
    return {
      params: { ...c.params, kernelSize: [c.kh, c.kw] },
      inputs: {
        x: randomRegion(c.dtype, [c.n, c.groups * c.cg, c.h, c.w], next),
        dy: randomRegion(c.dtype, [c.n, c.groups * c.ocg, c.oh, c.ow], next),
      },
    };
  },
  reshape: (next) => {
    const x = layoutInput(next, randInt(next, 0, 3));
    const size = x.range.size;
    const divisors = Array.from({ length: size }, (_, i) => i + 1).filter((d) => size % d === 0);
    const first = pick(next, divisors);
    const shape = next() < 0.5 ? [first, size / first] : [size / first, first, 1];
    return { params: { shape: next() < 0.5 ? shape : [-1, ...shape.slice(1)] }, inputs: { x } };
  },
};

import type { DType } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import type { AnyKernelDef } from "../kernels/kernel.js";
import { type BuiltinKernelId, type BuiltinParams, builtinRegistry } from "../kernels/library/index.js";
import { extendRegistry, type KernelRegistry } from "../kernels/registry.js";
import type { TensorRef } from "../kernels/tensor-ref.js";
import { type OpOptions, ProgramBuilder } from "./program-builder.js";

/** Raw params of built-in kernel `K` as a caller writes them: every field optional (defaults apply). */
export type ParamsOf<K extends BuiltinKernelId> = Partial<BuiltinParams<K>>;

/**
 * The builder API: `program()`, `input()`, one method per built-in kernel, `output()`, `build()`.
 *
 * ```ts
 * const p = program("mlp");
 * const x = p.input("x", [32, 784]);
 * const h = p.relu(p.linear(x, p.input("w1", [784, 256]), p.input("b1", [256])));
 * p.output("y", p.linear(h, p.input("w2", [256, 10])));
 * const ir = p.build(); // a validated Program
 * ```
 */
export class TensorProgram extends ProgramBuilder {
  /** Applies built-in kernel `kernel` to named inputs; returns its single output `out`. */
  apply<K extends BuiltinKernelId>(
    kernel: K,
    inputs: Readonly<Record<string, TensorRef | undefined>>,
    params: ParamsOf<K> = {},
    opts: OpOptions = {},
  ): TensorRef {
    return this.call(kernel, inputs, params, opts).out!;
  }

  /** Elementwise −x. */ neg(x: TensorRef, o?: OpOptions) {
    return this.apply("neg", { x }, {}, o);
  }
  /** Elementwise |x|. */ abs(x: TensorRef, o?: OpOptions) {
    return this.apply("abs", { x }, {}, o);
  }
  /** Elementwise eˣ. */ exp(x: TensorRef, o?: OpOptions) {
    return this.apply("exp", { x }, {}, o);
  }
  /** Elementwise natural log. */ log(x: TensorRef, o?: OpOptions) {
    return this.apply("log", { x }, {}, o);
  }
  /** Elementwise square root. */ sqrt(x: TensorRef, o?: OpOptions) {
    return this.apply("sqrt", { x }, {}, o);
  }
  /** Elementwise max(x, 0). */ relu(x: TensorRef, o?: OpOptions) {
    return this.apply("relu", { x }, {}, o);
  }
  /** Elementwise GELU (tanh approximation). */ gelu(x: TensorRef, o?: OpOptions) {
    return this.apply("gelu", { x }, {}, o);
  }
  /** Elementwise exact GELU, x · Φ(x) through erf. */ geluErf(x: TensorRef, o?: OpOptions) {
    return this.apply("gelu_erf", { x }, {}, o);
  }
  /** Elementwise max(0, min(1, alpha · x + beta)) (defaults 0.2, 0.5). */ hardSigmoid(
    x: TensorRef,
    p: ParamsOf<"hard_sigmoid"> = {},
    o?: OpOptions,
  ) {
    return this.apply("hard_sigmoid", { x }, p, o);
  }
  /** Elementwise clamp to [min, max]. */ clip(x: TensorRef, p: ParamsOf<"clip">, o?: OpOptions) {
    return this.apply("clip", { x }, p, o);
  }
  /** Elementwise logistic sigmoid. */ sigmoid(x: TensorRef, o?: OpOptions) {
    return this.apply("sigmoid", { x }, {}, o);
  }
  /** Elementwise tanh. */ tanh(x: TensorRef, o?: OpOptions) {
    return this.apply("tanh", { x }, {}, o);
  }
  /** Elementwise sign: −1, 0 or 1. */ sign(x: TensorRef, o?: OpOptions) {
    return this.apply("sign", { x }, {}, o);
  }
  /** Elementwise `x · factor + shift` (defaults 1 and 0). */
  scale(x: TensorRef, p: { readonly factor?: number; readonly shift?: number } = {}, o?: OpOptions) {
    return this.apply("scale", { x }, p, o);
  }
  /** Zeros added `before` and `after` x along each dimension. */ pad(
    x: TensorRef,
    p: ParamsOf<"pad">,
    o?: OpOptions,
  ) {
    return this.apply("pad", { x }, p, o);
  }
  /** a + b with numpy broadcasting. */ add(a: TensorRef, b: TensorRef, o?: OpOptions) {
    return this.apply("add", { a, b }, {}, o);
  }
  /** a − b with numpy broadcasting. */ sub(a: TensorRef, b: TensorRef, o?: OpOptions) {
    return this.apply("sub", { a, b }, {}, o);
  }
  /** a · b with numpy broadcasting. */ mul(a: TensorRef, b: TensorRef, o?: OpOptions) {
    return this.apply("mul", { a, b }, {}, o);
  }
  /** a / b with numpy broadcasting. */ div(a: TensorRef, b: TensorRef, o?: OpOptions) {
    return this.apply("div", { a, b }, {}, o);
  }
  /** max(a, b) with numpy broadcasting. */ maximum(a: TensorRef, b: TensorRef, o?: OpOptions) {
    return this.apply("maximum", { a, b }, {}, o);
  }
  /** min(a, b) with numpy broadcasting. */ minimum(a: TensorRef, b: TensorRef, o?: OpOptions) {
    return this.apply("minimum", { a, b }, {}, o);
  }
  /** Matrix product, numpy `matmul` semantics (batched, broadcasting). */ matmul(
    a: TensorRef,
    b: TensorRef,
    o?: OpOptions,
  ) {
    return this.apply("matmul", { a, b }, {}, o);
  }
  /** x · w (+ b): `x [..., in]`, `w [in, out]`, optional `b [out]`. */
  linear(x: TensorRef, w: TensorRef, b?: TensorRef, o?: OpOptions) {
    return this.apply("linear", { x, w, b }, {}, o);
  }
  /** Sum over `dims` (all when absent). */ sum(x: TensorRef, p: ParamsOf<"sum"> = {}, o?: OpOptions) {
    return this.apply("sum", { x }, p, o);
  }
  /** Maximum over `dims`. */ max(x: TensorRef, p: ParamsOf<"max"> = {}, o?: OpOptions) {
    return this.apply("max", { x }, p, o);
  }
  /** Minimum over `dims`. */ min(x: TensorRef, p: ParamsOf<"min"> = {}, o?: OpOptions) {
    return this.apply("min", { x }, p, o);
  }
  /** Mean over `dims`. */ mean(x: TensorRef, p: ParamsOf<"mean"> = {}, o?: OpOptions) {
    return this.apply("mean", { x }, p, o);
  }
  /** Softmax over `dim` (default last). */ softmax(
    x: TensorRef,
    p: ParamsOf<"softmax"> = {},
    o?: OpOptions,
  ) {
    return this.apply("softmax", { x }, p, o);
  }
  /** Layer normalization over the trailing `normalizedDims`, with optional affine weight and bias. */
  layerNorm(
    x: TensorRef,
    weight?: TensorRef,
    bias?: TensorRef,
    p: ParamsOf<"layer_norm"> = {},
    o?: OpOptions,
  ) {
    return this.apply("layer_norm", { x, weight, bias }, p, o);
  }
  /** 2-D convolution, NCHW, no bias. */ conv2d(
    x: TensorRef,
    w: TensorRef,
    p: ParamsOf<"conv2d"> = {},
    o?: OpOptions,
  ) {
    return this.apply("conv2d", { x, w }, p, o);
  }
  /** 2-D max pooling, NCHW, over windows of `kernel`. */ maxPool2d(
    x: TensorRef,
    p: ParamsOf<"max_pool2d"> & { readonly kernel: readonly [number, number] },
    o?: OpOptions,
  ) {
    return this.apply("max_pool2d", { x }, p, o);
  }
  /** Nearest 2-D upsampling, NCHW, by integer factors `scale`. */ upsampleNearest2d(
    x: TensorRef,
    p: ParamsOf<"upsample_nearest2d"> & { readonly scale: readonly [number, number] },
    o?: OpOptions,
  ) {
    return this.apply("upsample_nearest2d", { x }, p, o);
  }
  /** Transposed 2-D convolution, NCHW, stride equal to the filter size (no bias). */ convTranspose2d(
    x: TensorRef,
    w: TensorRef,
    o?: OpOptions,
  ) {
    return this.apply("conv_transpose2d", { x, w }, { stride: [w.shape[2]!, w.shape[3]!] }, o);
  }
  /** Permutes dimensions (`perm` absent reverses them). */ transpose(
    x: TensorRef,
    p: ParamsOf<"transpose"> = {},
    o?: OpOptions,
  ) {
    return this.apply("transpose", { x }, p, o);
  }
  /** numpy-style `start:end:step` slice. */ slice(x: TensorRef, p: ParamsOf<"slice">, o?: OpOptions) {
    return this.apply("slice", { x }, p, o);
  }
  /** Broadcasts to `shape` by numpy rules. */ broadcastTo(
    x: TensorRef,
    shape: readonly number[],
    o?: OpOptions,
  ) {
    return this.apply("broadcast_to", { x }, { shape }, o);
  }
  /** Reshapes (row-major); unshardable. */ reshape(x: TensorRef, shape: readonly number[], o?: OpOptions) {
    return this.apply("reshape", { x }, { shape }, o);
  }
  /** Identity copy. */ copy(x: TensorRef, o?: OpOptions) {
    return this.apply("copy", { x }, {}, o);
  }

  /**
   * Concatenates along `dim`: one `copy` per part into its own slab of one new tensor, so each
   * part stays a separate, shardable operation.
   */
  concat(parts: readonly TensorRef[], dim: number, o: OpOptions = {}): TensorRef {
    const first = parts[0];
    if (first === undefined) throw new TesseraError("invalid_param", "concat needs at least one tensor", {});
    const rank = first.shape.length;
    const d = dim < 0 ? dim + rank : dim;
    if (!Number.isInteger(d) || d < 0 || d >= rank) {
      throw new TesseraError("invalid_param", `concat dimension ${dim} is out of range for rank ${rank}`, {
        dim,
        rank,
      });
    }
    parts.forEach((t, i) => {
      const bad =
        t.shape.length !== rank ||
        t.shape.some((s, k) => k !== d && s !== first.shape[k]) ||
        t.dtype !== first.dtype;
      if (bad) {
        throw new TesseraError(
          "shape_mismatch",
          `concat part ${i} is ${t.dtype} [${t.shape.join(", ")}]; it must be ${first.dtype} and match [${first.shape.join(", ")}] off dimension ${d}`,
          { part: i, expected: first.shape.slice(), found: t.shape.slice() },
        );
      }
    });
    const shape = first.shape.slice();
    shape[d] = parts.reduce((acc, t) => acc + t.shape[d]!, 0);
    const id = o.id ?? this.freshId("concat");
    const target = this.tensor(id, shape, first.dtype);
    let offset = 0;
    parts.forEach((t, i) => {
      const start = shape.map((_, k) => (k === d ? offset : 0));
      this.call("copy", { x: t }, {}, { id: `${id}.part${i}`, into: { out: { tensor: target, start } } });
      offset += t.shape[d]!;
    });
    return target;
  }
}

/** Starts a program; `kernels` adds declared kernels (e.g. from `loadKernelDeclarationFile`). */
export function program(
  name?: string,
  opts: { readonly kernels?: readonly AnyKernelDef[] } = {},
): TensorProgram {
  const registry: KernelRegistry = extendRegistry(builtinRegistry(), opts.kernels ?? []);
  return new TensorProgram(registry, name);
}

/** A standalone `input` for symmetry with the builder: `input(p, "x", [2, 3])`. */
export function input(
  p: ProgramBuilder,
  name: string,
  shape: readonly number[],
  dtype: DType = "float32",
): TensorRef {
  return p.input(name, shape, dtype);
}

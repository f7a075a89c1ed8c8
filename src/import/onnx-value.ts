import type { TensorRef } from "../kernels/tensor-ref.js";
import type { OnnxElementType } from "./onnx-model.js";

/**
 * A value known when the model is imported: an initializer, a Constant node, a tensor's shape,
 * or anything computed from those alone (the Shape→Slice→Concat→Reshape chains exporters
 * emit). Values are float64, row-major.
 */
export interface ConstValue {
  readonly kind: "const";
  /** The name it came from (an initializer or the node output that produced it). */
  readonly name: string;
  readonly type: OnnxElementType;
  readonly dims: readonly number[];
  readonly values: Float64Array;
}

/** A value computed by the program: a tensor of the program under construction. */
export interface TensorValue {
  readonly kind: "tensor";
  readonly ref: TensorRef;
}

/** What an ONNX value name stands for during import. */
export type OnnxValue = ConstValue | TensorValue;

/** The element count of `dims`. */
export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** The row-major strides of `dims`. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = dims.map(() => 1);
  for (let d = dims.length - 2; d >= 0; d--) strides[d] = strides[d + 1]! * dims[d + 1]!;
  return strides;
}

/** A constant named `name` with `dims` and `values`. */
export function constant(
  name: string,
  type: OnnxElementType,
  dims: readonly number[],
  values: Float64Array | readonly number[],
): ConstValue {
  return { kind: "const", name, type, dims: dims.slice(), values: Float64Array.from(values) };
}

/** The dims of either kind of value. */
export function dimsOf(v: OnnxValue): readonly number[] {
  return v.kind === "const" ? v.dims : v.ref.shape;
}

/** `values` read as a list of integers (shapes, axes, starts): truncated toward zero. */
export function intsOf(v: ConstValue): number[] {
  return Array.from(v.values, (x) => Math.trunc(x));
}

/** The element of `c` at multi-index `at` (row-major). */
function read(c: ConstValue, strides: readonly number[], at: readonly number[]): number {
  let off = 0;
  for (let d = 0; d < at.length; d++) off += at[d]! * strides[d]!;
  return c.values[off]!;
}

/** Visits every multi-index of `dims` in row-major order. */
export function forEachIndex(
  dims: readonly number[],
  visit: (at: readonly number[], flat: number) => void,
): void {
  const n = sizeOf(dims);
  const at = dims.map(() => 0);
  for (let flat = 0; flat < n; flat++) {
    visit(at, flat);
    for (let d = dims.length - 1; d >= 0; d--) {
      at[d]!++;
      if (at[d]! < dims[d]!) break;
      at[d] = 0;
    }
  }
}

/** numpy broadcasting of two shapes, or undefined when they do not broadcast. */
export function broadcastDims(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** `f` applied elementwise to `a` and `b` broadcast together (shapes already checked to broadcast). */
export function constBinary(
  name: string,
  a: ConstValue,
  b: ConstValue,
  dims: readonly number[],
  f: (x: number, y: number) => number,
): ConstValue {
  const out = new Float64Array(sizeOf(dims));
  const sa = stridesOf(a.dims);
  const sb = stridesOf(b.dims);
  const pick = (c: ConstValue, at: readonly number[]) =>
    at.slice(at.length - c.dims.length).map((x, d) => (c.dims[d] === 1 ? 0 : x));
  forEachIndex(dims, (at, flat) => {
    out[flat] = f(read(a, sa, pick(a, at)), read(b, sb, pick(b, at)));
  });
  const type = a.type === "float32" || a.type === "float64" ? a.type : b.type;
  return { kind: "const", name, type, dims: dims.slice(), values: out };
}

/** `c` with its dimensions permuted: output dimension `i` is input dimension `perm[i]`. */
export function constTranspose(name: string, c: ConstValue, perm: readonly number[]): ConstValue {
  const dims = perm.map((p) => c.dims[p]!);
  const strides = stridesOf(c.dims);
  const out = new Float64Array(c.values.length);
  const src = c.dims.map(() => 0);
  forEachIndex(dims, (at, flat) => {
    perm.forEach((p, i) => {
      src[p] = at[i]!;
    });
    out[flat] = read(c, strides, src);
  });
  return { kind: "const", name, type: c.type, dims, values: out };
}

/** The sub-box `[start, start + dims)` of `c`, taking every `step`-th element. */
export function constSlice(
  name: string,
  c: ConstValue,
  start: readonly number[],
  step: readonly number[],
  dims: readonly number[],
): ConstValue {
  const strides = stridesOf(c.dims);
  const out = new Float64Array(sizeOf(dims));
  forEachIndex(dims, (at, flat) => {
    out[flat] = read(
      c,
      strides,
      at.map((x, d) => start[d]! + x * step[d]!),
    );
  });
  return { kind: "const", name, type: c.type, dims: dims.slice(), values: out };
}

/** `parts` concatenated along `axis` (shapes already checked). */
export function constConcat(name: string, parts: readonly ConstValue[], axis: number): ConstValue {
  const first = parts[0]!;
  const dims = first.dims.slice();
  dims[axis] = parts.reduce((a, p) => a + p.dims[axis]!, 0);
  const outer = sizeOf(first.dims.slice(0, axis));
  const values: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const inner = sizeOf(p.dims.slice(axis));
      for (let i = 0; i < inner; i++) values.push(p.values[o * inner + i]!);
    }
  }
  return constant(name, first.type, dims, values);
}

/** Entries of `c` along `axis` at `indices` (numpy `take`; negative indices count from the end). */
export function constGather(name: string, c: ConstValue, indices: ConstValue, axis: number): ConstValue {
  const n = c.dims[axis]!;
  const idx = intsOf(indices).map((i) => (i < 0 ? i + n : i));
  const dims = [...c.dims.slice(0, axis), ...indices.dims, ...c.dims.slice(axis + 1)];
  const outer = sizeOf(c.dims.slice(0, axis));
  const inner = sizeOf(c.dims.slice(axis + 1));
  const values: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const i of idx) {
      for (let k = 0; k < inner; k++) values.push(c.values[(o * n + i) * inner + k]!);
    }
  }
  return constant(name, c.type, dims, values);
}

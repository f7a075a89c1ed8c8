/** Small compositions that many VJPs share: scaling, summing back over broadcasts, re-expanding reductions. */

import type { TensorRef } from "../../tensor-ref.js";
import type { VjpEmitter } from "../../vjp.js";

/** `x · factor + shift` elementwise (the `scale` kernel). */
export function scaled(e: VjpEmitter, x: TensorRef, factor: number, shift = 0): TensorRef {
  return e.call("scale", { x }, { factor, shift });
}

/** A tensor of zeros shaped like `x` (`0 · x`: NaN where x is not finite, which only a broken forward makes). */
export function zerosLike(e: VjpEmitter, x: TensorRef): TensorRef {
  return scaled(e, x, 0);
}

/** A binary elementwise kernel (`add`, `sub`, `mul`, `div`) applied with numpy broadcasting. */
export function binary(
  e: VjpEmitter,
  kernel: "add" | "sub" | "mul" | "div",
  a: TensorRef,
  b: TensorRef,
): TensorRef {
  return e.call(kernel, { a, b });
}

/**
 * Sums `g` (shaped like a broadcast result) back to `shape`, the shape of the operand that was
 * broadcast: the leading dimensions the operand lacks are summed away, and its size-1
 * dimensions that were stretched are summed with `keepdims`. `sumTo(g [2, 3], [3])` sums
 * dimension 0; `sumTo(g [2, 3], [2, 1])` sums dimension 1 keeping it.
 */
export function sumTo(e: VjpEmitter, g: TensorRef, shape: readonly number[]): TensorRef {
  let out = g;
  const lead = g.shape.length - shape.length;
  if (lead > 0) out = e.call("sum", { x: out }, { dims: Array.from({ length: lead }, (_, d) => d) });
  const stretched = shape.flatMap((size, d) => (size === 1 && out.shape[d] !== 1 ? [d] : []));
  if (stretched.length > 0) out = e.call("sum", { x: out }, { dims: stretched, keepdims: true });
  return out;
}

/**
 * Undoes a reduction's shape: broadcasts `g` (shaped like the reduction's output) back to
 * `xShape`, where `dims` (sorted, non-negative) were reduced. Without `keepdims` the reduced
 * dimensions are missing from `g`, so they are broadcast in front and moved into place with a
 * transpose — both affine, so the result stays shardable (a reshape would not).
 */
export function expandReduced(
  e: VjpEmitter,
  g: TensorRef,
  xShape: readonly number[],
  dims: readonly number[],
  keepdims: boolean,
): TensorRef {
  if (dims.length === 0) return g;
  if (keepdims) return e.call("broadcast_to", { x: g }, { shape: xShape.slice() });
  const kept = xShape.flatMap((_, d) => (dims.includes(d) ? [] : [d]));
  const front = [...dims.map((d) => xShape[d]!), ...kept.map((d) => xShape[d]!)];
  const wide = e.call("broadcast_to", { x: g }, { shape: front });
  // Output dimension d of the transpose is dimension perm[d] of `wide`.
  const perm = xShape.map((_, d) => (dims.includes(d) ? dims.indexOf(d) : dims.length + kept.indexOf(d)));
  return perm.every((p, d) => p === d) ? wide : e.call("transpose", { x: wide }, { perm });
}

/** `x` with its last two dimensions swapped. */
export function swapLastTwo(e: VjpEmitter, x: TensorRef): TensorRef {
  const r = x.shape.length;
  const perm = x.shape.map((_, d) => (d === r - 2 ? r - 1 : d === r - 1 ? r - 2 : d));
  return e.call("transpose", { x }, { perm });
}

/** `x` reshaped (row-major) to `shape`, or `x` itself when it already has that shape. */
export function reshaped(e: VjpEmitter, x: TensorRef, shape: readonly number[]): TensorRef {
  const same = shape.length === x.shape.length && shape.every((s, d) => s === x.shape[d]);
  return same ? x : e.call("reshape", { x }, { shape: shape.slice() });
}

/** The dimension `d` (negatives counting from the end) of a rank-`rank` tensor, non-negative. */
export function axis(d: number, rank: number): number {
  return d < 0 ? d + rank : d;
}

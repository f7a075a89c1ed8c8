import { allocate, type DType } from "../../base/dtype.js";
import type { IndexProjection } from "../../zspace/index-projection.js";
import type { ZRange } from "../../zspace/z-range.js";
import type { Region } from "../region.js";

/**
 * Row-major offset of the absolute point `coords` in a dense buffer laid out over `range`, or
 * -1 when the point lies outside it. No allocation, so hand-written kernel loops can call it
 * per element.
 */
export function offsetIn(range: ZRange, coords: readonly number[]): number {
  const s = range.start.coords;
  const e = range.end.coords;
  let off = 0;
  for (let d = 0; d < s.length; d++) {
    const c = coords[d]!;
    if (c < s[d]! || c >= e[d]!) return -1;
    off = off * (e[d]! - s[d]!) + (c - s[d]!);
  }
  return off;
}

/**
 * The element of `region` at absolute `coords`, or 0 outside the region. Kernel inputs cover
 * their projection intersected with the tensor, so "outside the region" within a projected box
 * means "outside the tensor": this zero is convolution padding.
 */
export function readOrZero(region: Region, coords: readonly number[]): number {
  const off = offsetIn(region.range, coords);
  return off < 0 ? 0 : region.data[off]!;
}

/** The box origin `A·point + b` a projection selects at one index point, written into `out`. */
export function projectOrigin(
  projection: IndexProjection,
  point: readonly number[],
  out: number[] = [],
): number[] {
  const A = projection.map.matrix;
  const b = projection.map.offset.coords;
  out.length = A.length;
  for (let r = 0; r < A.length; r++) {
    const row = A[r]!;
    let c = b[r]!;
    for (let d = 0; d < row.length; d++) c += row[d]! * point[d]!;
    out[r] = c;
  }
  return out;
}

/**
 * A region of `dtype` over `range` holding float64 accumulators rounded once into the dtype
 * (int32 truncates toward zero and wraps like C, as typed-array stores do).
 */
export function regionFromAccumulator(dtype: DType, range: ZRange, acc: Float64Array): Region {
  const data = allocate(dtype, acc.length);
  data.set(acc);
  return { dtype, range, data };
}

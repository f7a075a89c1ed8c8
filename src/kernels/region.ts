import { allocate, type DType, type TypedData } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import type { ZRange } from "../zspace/z-range.js";

/**
 * Dense row-major values of a tensor over a box of its coordinate space. A whole tensor is the
 * region over its full range; a shard's input is the region it was sent. Coordinates are
 * absolute (the tensor's own), so a region need not start at the origin.
 */
export interface Region {
  readonly dtype: DType;
  readonly range: ZRange;
  readonly data: TypedData;
}

/** A zero-filled region of `dtype` over `range`. */
export function zeroRegion(dtype: DType, range: ZRange): Region {
  return { dtype, range, data: allocate(dtype, range.size) };
}

/** A region from existing data; throws `rank_mismatch` when the data length is not the range size. */
export function makeRegion(dtype: DType, range: ZRange, data: TypedData): Region {
  if (data.length !== range.size) {
    throw new TesseraError(
      "rank_mismatch",
      `region ${range} needs ${range.size} elements, found ${data.length}`,
      {
        expected: range.size,
        found: data.length,
      },
    );
  }
  return { dtype, range, data };
}

/**
 * Calls `run(srcOffset, dstOffset, length)` for each contiguous run of `box` in both `src` and
 * `dst` (dense buffers over them), in row-major order. `box` must lie in both. Trailing
 * dimensions that `box`, `src` and `dst` all span whole are merged into one run: a box of full
 * rows is one copy, not one per row (a slice cut on an outer dimension is a single `set`).
 */
function forEachRow(
  box: ZRange,
  src: ZRange,
  dst: ZRange,
  run: (srcOffset: number, dstOffset: number, length: number) => void,
): void {
  if (box.isEmpty()) return;
  const n = box.rank;
  if (n === 0) {
    run(0, 0, 1);
    return;
  }
  const ss = src.strides();
  const ds = dst.strides();
  const b0 = box.start.coords;
  const b1 = box.end.coords;
  const extent = (r: ZRange, d: number) => r.end.coords[d]! - r.start.coords[d]!;
  // Dimensions k … n-1 form one contiguous run in both buffers.
  let k = n - 1;
  let len = b1[k]! - b0[k]!;
  while (k > 0 && b1[k]! - b0[k]! === extent(src, k) && b1[k]! - b0[k]! === extent(dst, k)) {
    k--;
    len *= b1[k]! - b0[k]!;
  }
  let so = 0;
  let dof = 0;
  for (let d = 0; d < n; d++) {
    so += (b0[d]! - src.start.coords[d]!) * ss[d]!;
    dof += (b0[d]! - dst.start.coords[d]!) * ds[d]!;
  }
  if (k === 0) {
    run(so, dof, len);
    return;
  }
  const cur = b0.slice(0, k);
  for (;;) {
    run(so, dof, len);
    // Next run: step the outer dimensions (0 … k-1) like an odometer, offsets updated incrementally.
    let d = k - 1;
    while (d >= 0) {
      cur[d]!++;
      so += ss[d]!;
      dof += ds[d]!;
      if (cur[d]! < b1[d]!) break;
      const back = b1[d]! - b0[d]!;
      so -= back * ss[d]!;
      dof -= back * ds[d]!;
      cur[d] = b0[d]!;
      d--;
    }
    if (d < 0) return;
  }
}

/** Copies `len` elements from `src` at `so` to `dst` at `dof`: an element loop for short runs, where a subarray view costs more than the copy. */
function copyRun(src: TypedData, so: number, dst: TypedData, dof: number, len: number): void {
  if (len <= 64) {
    for (let i = 0; i < len; i++) dst[dof + i] = src[so + i]!;
    return;
  }
  dst.set(src.subarray(so, so + len), dof);
}

/** A copy of the part of `region` inside `box` (throws `dimension_out_of_bounds` if `box` is not inside). */
export function sliceRegion(region: Region, box: ZRange): Region {
  if (!region.range.contains(box)) {
    throw new TesseraError("dimension_out_of_bounds", `cannot slice ${box} out of region ${region.range}`, {
      box: box.toJSON(),
      region: region.range.toJSON(),
    });
  }
  if (box.equals(region.range)) return region;
  const out = zeroRegion(region.dtype, box);
  forEachRow(box, region.range, box, (so, dof, len) => copyRun(region.data, so, out.data, dof, len));
  return out;
}

/** Copies `source` into `target` where they overlap (dtypes must match; values are stored as-is). */
export function writeRegion(target: Region, source: Region): void {
  if (target.dtype !== source.dtype) {
    throw new TesseraError(
      "dtype_mismatch",
      `cannot write ${source.dtype} values into a ${target.dtype} region`,
      {
        expected: target.dtype,
        found: source.dtype,
      },
    );
  }
  const box = target.range.intersect(source.range);
  forEachRow(box, source.range, target.range, (so, dof, len) =>
    copyRun(source.data, so, target.data, dof, len),
  );
}

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
 * Calls `run(srcOffset, dstOffset, length)` for each contiguous row of `box` (the last
 * dimension), with offsets in dense buffers over `src` and `dst`. `box` must lie in both.
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
  const len = b1[n - 1]! - b0[n - 1]!;
  const cur = b0.slice();
  for (;;) {
    let so = 0;
    let dof = 0;
    for (let d = 0; d < n; d++) {
      so += (cur[d]! - src.start.coords[d]!) * ss[d]!;
      dof += (cur[d]! - dst.start.coords[d]!) * ds[d]!;
    }
    run(so, dof, len);
    let d = n - 2;
    while (d >= 0) {
      cur[d]!++;
      if (cur[d]! < b1[d]!) break;
      cur[d] = b0[d]!;
      d--;
    }
    if (d < 0) return;
  }
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
  forEachRow(box, region.range, box, (so, dof, len) => {
    out.data.set(region.data.subarray(so, so + len), dof);
  });
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
  forEachRow(box, source.range, target.range, (so, dof, len) => {
    target.data.set(source.data.subarray(so, so + len), dof);
  });
}

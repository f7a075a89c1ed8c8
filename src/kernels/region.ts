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

import type { DType } from "../../src/base/dtype.js";
import { makeRegion, type Region } from "../../src/kernels/region.js";
import { ZRange } from "../../src/zspace/index.js";

/** A dense tensor value holding `values` row-major over `range` (a shape means a range from the origin). */
export function tensor(
  range: readonly number[] | ZRange,
  values: readonly number[],
  dtype: DType = "float32",
): Region {
  const box = range instanceof ZRange ? range : ZRange.fromShape(range);
  const data =
    dtype === "int32"
      ? Int32Array.from(values)
      : dtype === "float64"
        ? Float64Array.from(values)
        : Float32Array.from(values);
  return makeRegion(dtype, box, data);
}

/** The values of a region as a plain array, row-major. */
export function valuesOf(region: Region): number[] {
  return Array.from(region.data);
}

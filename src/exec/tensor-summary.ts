import type { Region } from "../kernels/region.js";

/** A short numeric portrait of a tensor value, for printing and for comparing runs. */
export interface TensorSummary {
  readonly dtype: Region["dtype"];
  readonly shape: readonly number[];
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly nonFinite: number;
  /** FNV-1a over the raw little-endian bytes: equal values give equal checksums. */
  readonly checksum: string;
  readonly first: readonly number[];
}

/** Summarizes a region: sum, min, max, count of non-finite values, byte checksum, first values. */
export function summarizeTensor(region: Region, firstCount = 6): TensorSummary {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nonFinite = 0;
  for (const v of region.data) {
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const bytes = new Uint8Array(region.data.buffer, region.data.byteOffset, region.data.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return {
    dtype: region.dtype,
    shape: region.range.shape.toArray(),
    sum,
    min,
    max,
    nonFinite,
    checksum: (h >>> 0).toString(16).padStart(8, "0"),
    first: Array.from(region.data.subarray(0, firstCount)),
  };
}

/** One readable line: `y  float32 [2, 3]  sum=… min=… max=… checksum=…  first: …`. */
export function formatSummary(id: string, s: TensorSummary): string {
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));
  const nf = s.nonFinite > 0 ? ` non-finite=${s.nonFinite}` : "";
  return `${id}  ${s.dtype} [${s.shape.join(", ")}]  sum=${f(s.sum)} min=${f(s.min)} max=${f(s.max)}${nf} checksum=${s.checksum}  first: ${s.first.map(f).join(", ")}`;
}

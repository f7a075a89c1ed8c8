import type { Region } from "../kernels/region.js";

/** How far one computed tensor is from the reference. */
export interface OutputError {
  readonly tensor: string;
  /** max |actual − expected| over elements (0 when equal, Infinity when a NaN appears on one side only). */
  readonly maxAbs: number;
  /** max |actual − expected| / scale: error relative to the tensor's scale (see `compareOutputs`). */
  readonly maxRel: number;
  /** True when every element is equal (NaN matches NaN; 0 and -0 count as equal). */
  readonly exact: boolean;
  /** False when dtypes or ranges differ (then the errors are Infinity). */
  readonly comparable: boolean;
}

/**
 * Compares each expected tensor with the actual one of the same id. Relative error is taken
 * against a scale rather than elementwise, because sums regrouped by sharding err relative to
 * the magnitude of their terms, not of the result: the scale is the largest magnitude of the
 * expected tensor, or `scales[tensor]` when larger (the magnitude of the terms behind it, see
 * `termScales`).
 */
export function compareOutputs(
  actual: Readonly<Record<string, Region>>,
  expected: Readonly<Record<string, Region>>,
  scales: Readonly<Record<string, number>> = {},
): OutputError[] {
  return Object.entries(expected).map(([tensor, want]) => {
    const got = actual[tensor];
    if (got === undefined || got.dtype !== want.dtype || !got.range.equals(want.range)) {
      return {
        tensor,
        maxAbs: Number.POSITIVE_INFINITY,
        maxRel: Number.POSITIVE_INFINITY,
        exact: false,
        comparable: false,
      };
    }
    let maxAbs = 0;
    let scale = scales[tensor] ?? 0;
    let exact = true;
    for (let i = 0; i < want.data.length; i++) {
      const a = got.data[i]!;
      const b = want.data[i]!;
      if (Object.is(a, b) || a === b) {
        if (Number.isFinite(b)) scale = Math.max(scale, Math.abs(b));
        continue;
      }
      exact = false;
      if (Number.isNaN(a) || Number.isNaN(b) || !Number.isFinite(a) || !Number.isFinite(b)) {
        maxAbs = Number.POSITIVE_INFINITY;
        continue;
      }
      scale = Math.max(scale, Math.abs(b));
      maxAbs = Math.max(maxAbs, Math.abs(a - b));
    }
    const maxRel = maxAbs === 0 ? 0 : scale === 0 ? Number.POSITIVE_INFINITY : maxAbs / scale;
    return { tensor, maxAbs, maxRel, exact, comparable: true };
  });
}

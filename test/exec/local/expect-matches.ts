import { expect } from "vitest";
import type { Region } from "../../../src/kernels/region.js";

/**
 * Float32 agreement with the reference. Sharded runs fold partial sums in a different order
 * than the unsharded reference, so float results differ by rounding: with p partials an
 * element's error is bounded by about p·ε32·Σ|terms| (ε32 ≈ 1.2e-7). Rather than recompute
 * Σ|terms| per element we allow a relative `rel` (default 1e-5) plus an absolute
 * 1e-6·max|ref| (for elements that cancel to near zero), far below any indexing or halo bug.
 * A softmax after a split reduction needs a looser `rel`: it turns an absolute error δ of its
 * logits into a relative error of about 2δ of its outputs, and large logits carry a large δ.
 */
export function expectCloseToReference(actual: Region, expected: Region, label = "output", rel = 1e-5): void {
  expect(actual.dtype, `${label} dtype`).toBe(expected.dtype);
  expect(actual.range.equals(expected.range), `${label} range ${actual.range} vs ${expected.range}`).toBe(
    true,
  );
  let scale = 0;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  let worst = { index: -1, excess: 0 };
  expected.data.forEach((r, i) => {
    const a = actual.data[i]!;
    if (Number.isNaN(a) && Number.isNaN(r)) return;
    // NaN on one side only is an infinite excess.
    const excess = Math.abs(a - r) - (rel * Math.abs(r) + 1e-6 * scale);
    if (Number.isNaN(excess) || excess > worst.excess)
      worst = { index: i, excess: Number.isNaN(excess) ? Infinity : excess };
  });
  if (worst.index >= 0) {
    const i = worst.index;
    expect.fail(`${label}[${i}] = ${actual.data[i]}, reference ${expected.data[i]} (beyond tolerance)`);
  }
}

/** Exact agreement, for programs whose results do not depend on folding order (int32, max, min). */
export function expectExactlyReference(actual: Region, expected: Region, label = "output"): void {
  expect(actual.dtype, `${label} dtype`).toBe(expected.dtype);
  expect(actual.range.equals(expected.range), `${label} range`).toBe(true);
  expect(Array.from(actual.data), label).toEqual(Array.from(expected.data));
}

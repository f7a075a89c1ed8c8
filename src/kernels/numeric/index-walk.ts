import type { ZRange } from "../../zspace/z-range.js";

/**
 * Calls `visit` with every point of `range` in row-major order (last dimension fastest); once
 * with `[]` at rank 0, never for an empty range. The array passed is reused between calls (it
 * is the odometer itself), so copy it to keep it.
 */
export function forEachPoint(range: ZRange, visit: (point: readonly number[]) => void): void {
  if (range.isEmpty()) return;
  const s = range.start.coords;
  const e = range.end.coords;
  const p = s.slice();
  for (;;) {
    visit(p);
    let d = p.length - 1;
    for (; d >= 0; d--) {
      p[d]!++;
      if (p[d]! < e[d]!) break;
      p[d] = s[d]!;
    }
    if (d < 0) return;
  }
}

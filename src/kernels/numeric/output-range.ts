import type { IndexProjection } from "../../zspace/index-projection.js";
import { ZRange } from "../../zspace/z-range.js";
import type { Reduction } from "../signature.js";

/**
 * The output box a kernel writes for `index`: the output projection of `index`, except that a
 * reduction dimension of zero extent is first collapsed to one point. Outputs never depend on
 * reduction dimensions, and a reduction over nothing is the monoid's identity over the whole
 * output (numpy: `np.zeros((2, 0)) @ np.zeros((0, 3))` is a 2×3 block of zeros), not an empty box.
 */
export function outputRange(
  projection: IndexProjection,
  index: ZRange,
  reductions: readonly Reduction[],
): ZRange {
  const s = index.start.coords;
  const e = index.end.coords;
  if (!reductions.some((r) => e[r.dim] === s[r.dim])) return projection.applyRange(index);
  const end = e.slice();
  for (const r of reductions) if (end[r.dim] === s[r.dim]) end[r.dim] = s[r.dim]! + 1;
  return projection.applyRange(ZRange.unsafe(s.slice(), end));
}

import { ZRange } from "./z-range.js";

/** Why a list of boxes fails to tile a range exactly. */
export type TilingDefect =
  | { readonly kind: "rank"; readonly index: number }
  | { readonly kind: "outside"; readonly index: number }
  | { readonly kind: "overlap"; readonly first: number; readonly second: number; readonly common: ZRange }
  | { readonly kind: "gap"; readonly missing: number };

/**
 * The first reason `ranges` do not cover `whole` exactly once, or undefined when they do.
 * Empty boxes cover nothing and are ignored wherever they sit. Boxes inside `whole`, pairwise
 * disjoint and with sizes summing to `whole.size` cover it exactly, which is what is checked;
 * overlaps are found with a sweep along dimension 0, so disjoint slabs cost O(n log n).
 */
export function tilingDefect(ranges: readonly ZRange[], whole: ZRange): TilingDefect | undefined {
  let covered = 0;
  const live: number[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r.rank !== whole.rank) return { kind: "rank", index: i };
    if (r.isEmpty()) continue;
    if (!whole.contains(r)) return { kind: "outside", index: i };
    covered += r.size;
    live.push(i);
  }
  if (whole.rank > 0) {
    live.sort((a, b) => ranges[a]!.start.coords[0]! - ranges[b]!.start.coords[0]!);
    for (let x = 0; x < live.length; x++) {
      const a = ranges[live[x]!]!;
      const aEnd = a.end.coords[0]!;
      for (let y = x + 1; y < live.length; y++) {
        const b = ranges[live[y]!]!;
        if (b.start.coords[0]! >= aEnd) break;
        if (a.intersects(b)) {
          const [first, second] = live[x]! < live[y]! ? [live[x]!, live[y]!] : [live[y]!, live[x]!];
          return { kind: "overlap", first, second, common: a.intersect(b) };
        }
      }
    }
  } else if (live.length > 1) {
    return { kind: "overlap", first: live[0]!, second: live[1]!, common: ZRange.scalar() };
  }
  const missing = whole.size - covered;
  return missing === 0 ? undefined : { kind: "gap", missing };
}

/** Whether `ranges` cover `whole` exactly, without overlap (empty boxes ignored). */
export function tiles(ranges: readonly ZRange[], whole: ZRange): boolean {
  return tilingDefect(ranges, whole) === undefined;
}

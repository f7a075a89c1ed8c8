import type { ZRange } from "../zspace/z-range.js";

type Box = { lo: number[]; hi: number[] };

/** The parts of box `a` outside box `b` (at most two per dimension), as disjoint boxes. */
function subtract(a: Box, b: Box): Box[] {
  const n = a.lo.length;
  for (let i = 0; i < n; i++) if (Math.max(a.lo[i]!, b.lo[i]!) >= Math.min(a.hi[i]!, b.hi[i]!)) return [a];
  const out: Box[] = [];
  const lo = a.lo.slice();
  const hi = a.hi.slice();
  for (let i = 0; i < n; i++) {
    // Peel off the slabs of what remains that lie below and above b in dimension i.
    if (lo[i]! < b.lo[i]!) {
      out.push({ lo: lo.slice(), hi: hi.map((h, j) => (j === i ? b.lo[i]! : h)) });
      lo[i] = b.lo[i]!;
    }
    if (hi[i]! > b.hi[i]!) {
      out.push({ lo: lo.map((l, j) => (j === i ? b.hi[i]! : l)), hi: hi.slice() });
      hi[i] = b.hi[i]!;
    }
  }
  return out;
}

/**
 * The number of points in the union of boxes of one rank, each counted once. Disjoint boxes
 * (the common case: shards of one grid) cost a pairwise check; overlapping ones (halos, a
 * broadcast operand read by several shards) are cut into disjoint pieces first.
 */
export function unionSize(ranges: readonly ZRange[]): number {
  let overlap = false;
  for (let i = 0; i < ranges.length && !overlap; i++)
    for (let j = i + 1; j < ranges.length && !overlap; j++) overlap = ranges[i]!.intersects(ranges[j]!);
  if (!overlap) return ranges.reduce((n, r) => n + r.size, 0);
  let disjoint: Box[] = [];
  for (const r of ranges) {
    if (r.isEmpty()) continue;
    let pieces: Box[] = [{ lo: r.start.toArray(), hi: r.end.toArray() }];
    for (const d of disjoint) pieces = pieces.flatMap((p) => subtract(p, d));
    disjoint = disjoint.concat(pieces);
  }
  return disjoint.reduce((n, b) => n + b.lo.reduce((v, l, i) => v * (b.hi[i]! - l), 1), 0);
}

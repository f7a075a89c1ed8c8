import type { ZRange } from "../zspace/z-range.js";

/**
 * The regions of a list that may overlap a query region, by list position, ascending. Every
 * region that overlaps the query is among them; a caller still intersects each one.
 */
export interface RegionIndex {
  candidates(query: ZRange): readonly number[];
}

/** Most grid cells an index may hold per region before a linear scan is cheaper to keep. */
const CELLS_PER_REGION = 8;

/**
 * An index over `regions` (all of one rank): the grid of every region's corners, each cell
 * listing the regions that cover it, so a query visits the cells it overlaps instead of every
 * region. The writers of a tensor cut n ways and read by m shards cost m·n intersections
 * without it, a few per reader with it (512 × 512 on a 512-device plan). When the corners do
 * not form a grid of a few cells per region (regions offset against each other in every
 * dimension), every region is a candidate.
 */
export function regionIndex(regions: readonly ZRange[]): RegionIndex {
  const n = regions.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const scan: RegionIndex = { candidates: () => all };
  const live = all.filter((i) => !regions[i]!.isEmpty());
  if (live.length === 0) return { candidates: () => [] };
  const rank = regions[live[0]!]!.start.rank;
  const cuts: Float64Array[] = [];
  const stride: number[] = [];
  let cells = 1;
  for (let d = 0; d < rank; d++) {
    const values = new Set<number>();
    for (const i of live) {
      values.add(regions[i]!.start.coords[d]!);
      values.add(regions[i]!.end.coords[d]!);
    }
    const sorted = Float64Array.from(values).sort();
    cuts.push(sorted);
    stride.push(cells);
    cells *= sorted.length - 1;
    if (cells > CELLS_PER_REGION * n + 64) return scan;
  }
  const lo = new Int32Array(rank);
  const hi = new Int32Array(rank);
  // Cells by row-major offset, each with the regions covering it (compressed rows, ascending).
  const count = new Int32Array(cells + 1);
  const boxOf = (i: number) => {
    const r = regions[i]!;
    for (let d = 0; d < rank; d++) {
      lo[d] = lowerBound(cuts[d]!, r.start.coords[d]!);
      hi[d] = lowerBound(cuts[d]!, r.end.coords[d]!);
    }
  };
  for (const i of live) {
    boxOf(i);
    forEachCell(lo, hi, stride, (c) => count[c + 1]!++);
  }
  for (let c = 0; c < cells; c++) count[c + 1]! += count[c]!;
  const members = new Int32Array(count[cells]!);
  const fill = count.slice(0, cells);
  for (const i of live) {
    boxOf(i);
    forEachCell(lo, hi, stride, (c) => {
      members[fill[c]!++] = i;
    });
  }
  const seen = new Int32Array(n).fill(-1);
  let queries = 0;
  return {
    candidates(query) {
      const q = queries++;
      for (let d = 0; d < rank; d++) {
        const c = cuts[d]!;
        const a = query.start.coords[d]!;
        const b = query.end.coords[d]!;
        // Cells [lo, hi) overlap [a, b): cell j spans [c[j], c[j + 1]).
        lo[d] = Math.max(0, upperBound(c, a) - 1);
        hi[d] = Math.min(c.length - 1, lowerBound(c, b));
        if (a >= b || lo[d]! >= hi[d]!) return [];
      }
      const out: number[] = [];
      forEachCell(lo, hi, stride, (cell) => {
        for (let m = count[cell]!; m < count[cell + 1]!; m++) {
          const i = members[m]!;
          if (seen[i] !== q) {
            seen[i] = q;
            out.push(i);
          }
        }
      });
      return out.length > 1 ? out.sort((x, y) => x - y) : out;
    },
  };
}

/** Calls `f` with the row-major offset of every cell of the box `[lo, hi)` (nothing when empty). */
function forEachCell(
  lo: Int32Array,
  hi: Int32Array,
  stride: readonly number[],
  f: (cell: number) => void,
): void {
  const rank = lo.length;
  for (let d = 0; d < rank; d++) if (lo[d]! >= hi[d]!) return;
  const at = Int32Array.from(lo);
  for (;;) {
    let cell = 0;
    for (let d = 0; d < rank; d++) cell += at[d]! * stride[d]!;
    f(cell);
    let d = 0;
    for (; d < rank; d++) {
      if (++at[d]! < hi[d]!) break;
      at[d] = lo[d]!;
    }
    if (d === rank) return;
  }
}

/** The first position of `sorted` holding a value ≥ `v`. */
function lowerBound(sorted: Float64Array, v: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m]! < v) a = m + 1;
    else b = m;
  }
  return a;
}

/** The first position of `sorted` holding a value > `v`. */
function upperBound(sorted: Float64Array, v: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m]! <= v) a = m + 1;
    else b = m;
  }
  return a;
}

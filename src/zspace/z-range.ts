import { TesseraError, throwIfIssues } from "../base/errors.js";
import { IssueCollector } from "../base/issue.js";
import { isJsonObject, pointer } from "../base/json.js";
import { checkedInt, decodeIntArray, describe } from "./integers.js";
import { ZPoint } from "./z-point.js";

/**
 * How to cut one dimension of a range: into `parts` near-equal pieces (the first
 * `extent % parts` pieces one larger, so 10 in 3 is 4/3/3), or at explicit absolute `cuts`
 * strictly inside the dimension, ascending.
 */
export type DimSplit =
  | { readonly dim: number; readonly parts: number }
  | { readonly dim: number; readonly cuts: readonly number[] };

/**
 * An immutable half-open integer box `[start, end)` with any origin.
 *
 * Edge cases, decided once:
 * - rank 0 (`ZRange.scalar()`) is the index space of a scalar: shape `()`, size 1, not empty,
 *   and its one point is `()`;
 * - a range is empty when some dimension has `end == start`; empty ranges keep their position
 *   (equality is structural), are contained in every range of the same rank and are the
 *   identity of `boundingUnion`;
 * - `intersect` of disjoint ranges returns an empty range at the max of the starts.
 */
export class ZRange {
  /** Inclusive lower corner. */
  readonly start: ZPoint;
  /** Exclusive upper corner. */
  readonly end: ZPoint;

  private constructor(start: ZPoint, end: ZPoint) {
    this.start = start;
    this.end = end;
  }

  /** `[start, end)`; throws `rank_mismatch` or `end_before_start` when malformed. */
  static fromBounds(start: ZPoint | readonly number[], end: ZPoint | readonly number[]): ZRange {
    const s = start instanceof ZPoint ? start : ZPoint.from(start);
    const e = end instanceof ZPoint ? end : ZPoint.from(end);
    s.assertSameRank(e, "range bounds");
    for (let i = 0; i < s.rank; i++) {
      if (e.coords[i]! < s.coords[i]!) {
        throw new TesseraError(
          "end_before_start",
          `range ends before it starts in dimension ${i}: start ${s.coords[i]}, end ${e.coords[i]}`,
          { dim: i, start: s.coords[i]!, end: e.coords[i]! },
        );
      }
    }
    return new ZRange(s, e);
  }

  /** `[0, shape)`; throws `negative_extent` for a negative extent. */
  static fromShape(shape: ZPoint | readonly number[]): ZRange {
    const sh = shape instanceof ZPoint ? shape : ZPoint.from(shape);
    sh.coords.forEach((v, i) => {
      if (v < 0) {
        throw new TesseraError("negative_extent", `shape extent ${v} in dimension ${i} is negative`, {
          dim: i,
          found: v,
        });
      }
    });
    return new ZRange(ZPoint.zeros(sh.rank), sh);
  }

  /** `[start, start + shape)`. */
  static fromStartShape(start: ZPoint | readonly number[], shape: ZPoint | readonly number[]): ZRange {
    const s = start instanceof ZPoint ? start : ZPoint.from(start);
    return ZRange.fromShape(shape).translate(s);
  }

  /** The rank-0 range: one point, size 1. */
  static scalar(): ZRange {
    return new ZRange(ZPoint.zeros(0), ZPoint.zeros(0));
  }

  /** Internal fast path for callers that already guarantee `start ≤ end` with equal ranks. */
  static unsafe(start: number[], end: number[]): ZRange {
    return new ZRange(ZPoint.unsafe(start), ZPoint.unsafe(end));
  }

  /**
   * Decodes `{ "start": [...], "end": [...] }`, collecting every problem (non-integers,
   * rank mismatch, end before start) into one `ValidationError` with JSON-pointer paths.
   */
  static fromJSON(json: unknown, path = ""): ZRange {
    const issues = new IssueCollector();
    const range = decodeRange(json, path, issues);
    throwIfIssues(issues.issues, "range");
    return range!;
  }

  /** The number of dimensions. */
  get rank(): number {
    return this.start.rank;
  }

  /** `end - start`. */
  get shape(): ZPoint {
    return this.end.sub(this.start);
  }

  /** The number of points (1 at rank 0, 0 when empty). */
  get size(): number {
    let p = 1;
    const s = this.start.coords;
    const e = this.end.coords;
    for (let i = 0; i < s.length; i++) p *= e[i]! - s[i]!;
    return checkedInt(p, "range size");
  }

  /** True when some dimension has zero extent (never at rank 0). */
  isEmpty(): boolean {
    const s = this.start.coords;
    const e = this.end.coords;
    for (let i = 0; i < s.length; i++) if (e[i] === s[i]) return true;
    return false;
  }

  /** True at rank 0. */
  isScalar(): boolean {
    return this.rank === 0;
  }

  /** Whether a point lies inside, or a range lies wholly inside (an empty range always does). */
  contains(x: ZPoint | ZRange): boolean {
    if (x instanceof ZPoint) {
      this.start.assertSameRank(x, "contains");
      const p = x.coords;
      const s = this.start.coords;
      const e = this.end.coords;
      for (let i = 0; i < s.length; i++) if (p[i]! < s[i]! || p[i]! >= e[i]!) return false;
      return true;
    }
    this.start.assertSameRank(x, "contains");
    if (x.isEmpty()) return true;
    return this.start.le(x.start) && x.end.le(this.end);
  }

  /** The common part; empty (positioned at the max of the starts) when disjoint. */
  intersect(other: ZRange): ZRange {
    this.start.assertSameRank(other, "intersect");
    const a = this.start.coords;
    const b = this.end.coords;
    const c = other.start.coords;
    const d = other.end.coords;
    const n = a.length;
    const s = new Array<number>(n);
    const e = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const lo = Math.max(a[i]!, c[i]!);
      const hi = Math.min(b[i]!, d[i]!);
      s[i] = lo;
      e[i] = Math.max(hi, lo);
    }
    return new ZRange(ZPoint.unsafe(s), ZPoint.unsafe(e));
  }

  /** Whether the ranges share at least one point. */
  intersects(other: ZRange): boolean {
    this.start.assertSameRank(other, "intersects");
    const a = this.start.coords;
    const b = this.end.coords;
    const c = other.start.coords;
    const d = other.end.coords;
    for (let i = 0; i < a.length; i++) {
      if (Math.max(a[i]!, c[i]!) >= Math.min(b[i]!, d[i]!)) return false;
    }
    return true;
  }

  /** The smallest box containing both; an empty operand is ignored (identity). */
  boundingUnion(other: ZRange): ZRange {
    this.start.assertSameRank(other, "boundingUnion");
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    return new ZRange(this.start.min(other.start), this.end.max(other.end));
  }

  /** The range shifted by `offset`. */
  translate(offset: ZPoint): ZRange {
    return new ZRange(this.start.add(offset), this.end.add(offset));
  }

  /** Row-major strides of a dense buffer laid out over this range (last dimension fastest). */
  strides(): number[] {
    const s = this.start.coords;
    const e = this.end.coords;
    const out = new Array<number>(s.length);
    let acc = 1;
    for (let i = s.length - 1; i >= 0; i--) {
      out[i] = acc;
      acc *= e[i]! - s[i]!;
    }
    return out;
  }

  /** Row-major offset of `point` in a dense buffer laid out over this range. */
  offsetOf(point: ZPoint): number {
    if (!this.contains(point)) {
      throw new TesseraError("dimension_out_of_bounds", `point ${point} is outside range ${this}`, {
        point: point.toJSON(),
        range: this.toJSON(),
      });
    }
    const st = this.strides();
    let off = 0;
    for (let i = 0; i < st.length; i++) off += (point.coords[i]! - this.start.coords[i]!) * st[i]!;
    return off;
  }

  /** Every point in row-major order (last dimension fastest); one point `()` at rank 0. */
  *points(): Generator<ZPoint> {
    if (this.isEmpty()) return;
    const s = this.start.coords;
    const e = this.end.coords;
    const n = s.length;
    const cur = s.slice();
    for (;;) {
      yield ZPoint.unsafe(cur.slice());
      let i = n - 1;
      while (i >= 0) {
        cur[i]!++;
        if (cur[i]! < e[i]!) break;
        cur[i] = s[i]!;
        i--;
      }
      if (i < 0) return;
    }
  }

  /**
   * The boundaries of a grid split: for each dimension, ascending coordinates from `start` to
   * `end` (just `[start, end]` for dimensions not split). Throws `invalid_split` when a
   * dimension is split twice, parts are not positive integers, a dimension of extent `n` is
   * asked for more than `n` parts, or cuts are not strictly inside and ascending.
   */
  splitBoundaries(splits: readonly DimSplit[]): number[][] {
    const bounds: number[][] = this.start.coords.map((s, i) => [s, this.end.coords[i]!]);
    const seen = new Set<number>();
    for (const sp of splits) {
      const { dim } = sp;
      if (!Number.isInteger(dim) || dim < 0 || dim >= this.rank) {
        throw new TesseraError(
          "dimension_out_of_bounds",
          `cannot split dimension ${dim} of a rank-${this.rank} range`,
          {
            dim,
            rank: this.rank,
          },
        );
      }
      if (seen.has(dim)) {
        throw new TesseraError("invalid_split", `dimension ${dim} is split more than once`, { dim });
      }
      seen.add(dim);
      const s = this.start.coords[dim]!;
      const e = this.end.coords[dim]!;
      bounds[dim] = "parts" in sp ? evenBoundaries(s, e, sp.parts, dim) : cutBoundaries(s, e, sp.cuts, dim);
    }
    return bounds;
  }

  /**
   * Cuts the range into a grid of boxes, returned in row-major grid order. Unsplit
   * dimensions stay whole. Example: `[0,10)×[0,4)` split `{dim:0, parts:3}` gives
   * `[0,4)×[0,4)`, `[4,7)×[0,4)`, `[7,10)×[0,4)`.
   */
  split(splits: readonly DimSplit[]): ZRange[] {
    return gridBoxes(this.splitBoundaries(splits));
  }

  /** Shorthand for an even split of one dimension into `parts`. */
  splitDim(dim: number, parts: number): ZRange[] {
    return this.split([{ dim, parts }]);
  }

  /** Structural equality of start and end. */
  equals(other: ZRange): boolean {
    return this.start.equals(other.start) && this.end.equals(other.end);
  }

  /** The JSON form `{ start, end }`. */
  toJSON(): { start: number[]; end: number[] } {
    return { start: this.start.toJSON(), end: this.end.toJSON() };
  }

  /** `[0:4, 2:6)` style: one `start:end` per dimension; `[]` at rank 0. */
  toString(): string {
    return `[${this.start.coords.map((s, i) => `${s}:${this.end.coords[i]}`).join(", ")})`;
  }
}

/** Decodes a range from JSON, recording issues; undefined when unusable. */
export function decodeRange(json: unknown, path: string, issues: IssueCollector): ZRange | undefined {
  if (!isJsonObject(json)) {
    issues.add("expected_object", path, `expected a range {start, end}, found ${describe(json)}`);
    return undefined;
  }
  if (!("start" in json)) issues.add("missing_field", pointer(path, "start"), "a range needs `start`");
  if (!("end" in json)) issues.add("missing_field", pointer(path, "end"), "a range needs `end`");
  if (!("start" in json) || !("end" in json)) return undefined;
  const s = decodeIntArray(json.start, pointer(path, "start"), issues);
  const e = decodeIntArray(json.end, pointer(path, "end"), issues);
  if (s === undefined || e === undefined) return undefined;
  if (s.length !== e.length) {
    issues.add(
      "rank_mismatch",
      pointer(path, "end"),
      `start has rank ${s.length} but end has rank ${e.length}`,
      {
        expected: s.length,
        found: e.length,
      },
    );
    return undefined;
  }
  let ok = true;
  for (let i = 0; i < s.length; i++) {
    if (e[i]! < s[i]!) {
      ok = false;
      issues.add(
        "end_before_start",
        pointer(pointer(path, "end"), i),
        `range ends before it starts in dimension ${i}: start ${s[i]}, end ${e[i]}`,
        { dim: i, start: s[i]!, end: e[i]! },
      );
    }
  }
  if (!ok) return undefined;
  // Coordinates are safe integers, but a box's extent or size may not be: refuse it here so that
  // no later arithmetic on the range can overflow.
  const extents = s.map((v, i) => e[i]! - v);
  const bad = extents.findIndex((x) => !Number.isSafeInteger(x));
  const size = extents.includes(0) ? 0 : extents.reduce((a, b) => a * b, 1);
  if (bad >= 0 || !Number.isSafeInteger(size)) {
    issues.add(
      "coordinate_overflow",
      path,
      `range [${s.join(", ")}] to [${e.join(", ")}] is too large: its ${bad >= 0 ? `extent in dimension ${bad}` : "size"} exceeds 2^53 - 1`,
      bad >= 0 ? { dim: bad } : {},
    );
    return undefined;
  }
  return ZRange.unsafe(s, e);
}

/** Boundaries of `[s, e)` cut into `parts` near-equal pieces, larger pieces first (10/3 → 4,3,3). */
export function evenBoundaries(s: number, e: number, parts: number, dim = 0): number[] {
  const extent = e - s;
  if (!Number.isSafeInteger(parts) || parts < 1) {
    throw new TesseraError(
      "invalid_split",
      `dimension ${dim}: parts must be a positive integer, found ${parts}`,
      {
        dim,
        parts: Number.isFinite(parts) ? parts : String(parts),
      },
    );
  }
  if (parts > extent && !(extent === 0 && parts === 1)) {
    throw new TesseraError(
      "invalid_split",
      `dimension ${dim} is split into ${parts} parts, but the dimension size is ${extent}`,
      { dim, parts, size: extent },
    );
  }
  const base = Math.floor(extent / parts);
  const extra = extent % parts;
  const out = [s];
  let at = s;
  for (let p = 0; p < parts; p++) {
    at += base + (p < extra ? 1 : 0);
    out.push(at);
  }
  return out;
}

function cutBoundaries(s: number, e: number, cuts: readonly number[], dim: number): number[] {
  let prev = s;
  for (const c of cuts) {
    if (!Number.isSafeInteger(c) || c <= prev || c >= e) {
      throw new TesseraError(
        "invalid_split",
        `dimension ${dim}: cut points must be integers ascending strictly inside (${s}, ${e}), found [${cuts.join(", ")}]`,
        { dim, start: s, end: e, cuts: cuts.slice() },
      );
    }
    prev = c;
  }
  return [s, ...cuts, e];
}

/** All boxes of a grid given per-dimension ascending boundaries, in row-major grid order. */
export function gridBoxes(bounds: readonly (readonly number[])[]): ZRange[] {
  const n = bounds.length;
  const counts = bounds.map((b) => b.length - 1);
  const total = counts.reduce((a, b) => a * b, 1);
  const out: ZRange[] = [];
  const idx = new Array<number>(n).fill(0);
  for (let k = 0; k < total; k++) {
    const s = new Array<number>(n);
    const e = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      s[i] = bounds[i]![idx[i]!]!;
      e[i] = bounds[i]![idx[i]! + 1]!;
    }
    out.push(ZRange.unsafe(s, e));
    for (let i = n - 1; i >= 0; i--) {
      idx[i]!++;
      if (idx[i]! < counts[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

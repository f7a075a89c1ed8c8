import { TesseraError, throwIfIssues } from "../base/errors.js";
import { IssueCollector } from "../base/issue.js";
import { checkedInt, decodeIntArray } from "./integers.js";

/**
 * An immutable integer vector: a point (or offset, or shape) in Z-space.
 * Rank 0 is allowed: the single point `()` of a scalar's index space.
 * Coordinates are safe integers; arithmetic that would leave that range throws `coordinate_overflow`.
 */
export class ZPoint {
  private readonly c: readonly number[];

  private constructor(coords: readonly number[]) {
    this.c = coords;
  }

  /** A point from coordinates; throws `not_integer` for anything but safe integers. */
  static of(...coords: number[]): ZPoint {
    return ZPoint.from(coords);
  }

  /** A point from an array of coordinates (copied); throws `not_integer` for non-integers. */
  static from(coords: readonly number[]): ZPoint {
    for (let i = 0; i < coords.length; i++) {
      const v = coords[i]!;
      if (!Number.isSafeInteger(v)) {
        throw new TesseraError("not_integer", `coordinate ${i} is ${v}, not a safe integer`, {
          dim: i,
          found: Number.isFinite(v) ? v : String(v),
        });
      }
    }
    return new ZPoint(coords.slice());
  }

  /** Internal fast path: wraps an array the caller promises is fresh and integral. */
  static unsafe(coords: number[]): ZPoint {
    return new ZPoint(coords);
  }

  /** The origin of rank `n`. */
  static zeros(n: number): ZPoint {
    return new ZPoint(new Array<number>(n).fill(0));
  }

  /** The all-ones point of rank `n` (the shape of a single element). */
  static ones(n: number): ZPoint {
    return new ZPoint(new Array<number>(n).fill(1));
  }

  /** Decodes `[int, ...]` JSON; throws `ValidationError` with codes and paths on malformed input. */
  static fromJSON(json: unknown, path = ""): ZPoint {
    const issues = new IssueCollector();
    const coords = decodeIntArray(json, path, issues);
    throwIfIssues(issues.issues, "point");
    return new ZPoint(coords!);
  }

  /** The number of coordinates. */
  get rank(): number {
    return this.c.length;
  }

  /** The coordinates, read-only. */
  get coords(): readonly number[] {
    return this.c;
  }

  /** Coordinate `i`; throws `dimension_out_of_bounds` when `i` is not in [0, rank). */
  at(i: number): number {
    const v = this.c[i];
    if (v === undefined || !Number.isInteger(i)) {
      throw new TesseraError(
        "dimension_out_of_bounds",
        `dimension ${i} is outside a rank-${this.rank} point`,
        {
          dim: i,
          rank: this.rank,
        },
      );
    }
    return v;
  }

  /** A fresh mutable copy of the coordinates. */
  toArray(): number[] {
    return this.c.slice();
  }

  /** Elementwise sum. */
  add(other: ZPoint): ZPoint {
    return this.zip(other, "add", (a, b) => a + b);
  }

  /** Elementwise difference. */
  sub(other: ZPoint): ZPoint {
    return this.zip(other, "sub", (a, b) => a - b);
  }

  /** Elementwise product. */
  mul(other: ZPoint): ZPoint {
    return this.zip(other, "mul", (a, b) => a * b);
  }

  /** Elementwise minimum. */
  min(other: ZPoint): ZPoint {
    return this.zip(other, "min", Math.min);
  }

  /** Elementwise maximum. */
  max(other: ZPoint): ZPoint {
    return this.zip(other, "max", Math.max);
  }

  /** Every coordinate multiplied by the integer `k`. */
  scale(k: number): ZPoint {
    return new ZPoint(this.c.map((v) => checkedInt(v * k, "scaled coordinate")));
  }

  /** Every coordinate negated. */
  neg(): ZPoint {
    return new ZPoint(this.c.map((v) => (v === 0 ? 0 : -v)));
  }

  /** The product of the coordinates (1 for rank 0): the element count of a shape. */
  product(): number {
    let p = 1;
    for (const v of this.c) p *= v;
    return checkedInt(p, "product of coordinates");
  }

  /** The sum of the coordinates (0 for rank 0). */
  sum(): number {
    let s = 0;
    for (const v of this.c) s += v;
    return checkedInt(s, "sum of coordinates");
  }

  /** Structural equality: same rank, same coordinates. */
  equals(other: ZPoint): boolean {
    if (this.c.length !== other.c.length) return false;
    for (let i = 0; i < this.c.length; i++) if (this.c[i] !== other.c[i]) return false;
    return true;
  }

  /** Dominance: every coordinate ≤ the other's (true for two rank-0 points). */
  le(other: ZPoint): boolean {
    return this.all(other, "le", (a, b) => a <= b);
  }

  /** Strict dominance: every coordinate < the other's (vacuously true at rank 0). */
  lt(other: ZPoint): boolean {
    return this.all(other, "lt", (a, b) => a < b);
  }

  /** Every coordinate ≥ the other's. */
  ge(other: ZPoint): boolean {
    return other.le(this);
  }

  /** Every coordinate > the other's. */
  gt(other: ZPoint): boolean {
    return other.lt(this);
  }

  /** The JSON form: an array of integers. */
  toJSON(): number[] {
    return this.c.slice();
  }

  /** `(1, 2, 3)`; `()` at rank 0. */
  toString(): string {
    return `(${this.c.join(", ")})`;
  }

  /** Throws `rank_mismatch` unless `other` has this rank. */
  assertSameRank(other: { readonly rank: number }, op: string): void {
    if (other.rank !== this.c.length) {
      throw new TesseraError("rank_mismatch", `${op}: rank ${this.c.length} vs rank ${other.rank}`, {
        op,
        expected: this.c.length,
        found: other.rank,
      });
    }
  }

  private zip(other: ZPoint, op: string, f: (a: number, b: number) => number): ZPoint {
    this.assertSameRank(other, op);
    const out = new Array<number>(this.c.length);
    for (let i = 0; i < out.length; i++)
      out[i] = checkedInt(f(this.c[i]!, other.c[i]!), `${op} coordinate ${i}`);
    return new ZPoint(out);
  }

  private all(other: ZPoint, op: string, f: (a: number, b: number) => boolean): boolean {
    this.assertSameRank(other, op);
    for (let i = 0; i < this.c.length; i++) if (!f(this.c[i]!, other.c[i]!)) return false;
    return true;
  }
}

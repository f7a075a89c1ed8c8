import { TesseraError, throwIfIssues } from "../base/errors.js";
import { IssueCollector } from "../base/issue.js";
import { isJsonObject, pointer } from "../base/json.js";
import { checkedInt, decodeIntArray, describe } from "./integers.js";
import { ZPoint } from "./z-point.js";
import { ZRange } from "./z-range.js";

/** The JSON form of an affine map; `inRank` is required only when the matrix has no rows. */
export interface ZAffineMapJson {
  readonly matrix: readonly (readonly number[])[];
  readonly offset: readonly number[];
  readonly inRank?: number;
}

/**
 * An immutable integer affine map `y = A·x + b`, `A` of shape outRank × inRank.
 * Either rank may be 0: `inRank = 0` is a constant map, `outRank = 0` maps to the scalar point.
 *
 * Example: `ZAffineMap.fromMatrix([[1, 0], [0, 2]], [0, -1]).apply(ZPoint.of(3, 4))` is `(3, 7)`.
 */
export class ZAffineMap {
  /** Rows of `A`, read-only. */
  readonly matrix: readonly (readonly number[])[];
  /** The offset `b`. */
  readonly offset: ZPoint;
  /** Rank of the input space (columns of `A`). */
  readonly inRank: number;

  private constructor(matrix: readonly (readonly number[])[], offset: ZPoint, inRank: number) {
    this.matrix = matrix;
    this.offset = offset;
    this.inRank = inRank;
  }

  /**
   * A map from rows of `A` and an offset (zeros when omitted). `inRank` is needed only when
   * there are no rows. Throws `ragged_matrix`, `rank_mismatch` or `not_integer` when malformed.
   */
  static fromMatrix(
    matrix: readonly (readonly number[])[],
    offset?: ZPoint | readonly number[],
    inRank?: number,
  ): ZAffineMap {
    const issues = new IssueCollector();
    const m = checkMatrix(matrix, offset === undefined ? undefined : toArray(offset), inRank, "", issues);
    throwIfIssues(issues.issues, "affine map");
    return m!;
  }

  /** The identity map of rank `n`. */
  static identity(n: number): ZAffineMap {
    const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    return new ZAffineMap(rows, ZPoint.zeros(n), n);
  }

  /** The map whose output `i` is input `perm[i]`; throws `not_a_permutation` otherwise. */
  static permutation(perm: readonly number[]): ZAffineMap {
    const n = perm.length;
    const seen = new Set(perm);
    if (seen.size !== n || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= n)) {
      throw new TesseraError(
        "not_a_permutation",
        `[${perm.join(", ")}] is not a permutation of 0..${n - 1}`,
        {
          found: perm.slice(),
        },
      );
    }
    return ZAffineMap.projection(perm, n);
  }

  /** The map selecting input dimensions `dims` (output `i` is input `dims[i]`) from rank `inRank`. */
  static projection(dims: readonly number[], inRank: number): ZAffineMap {
    dims.forEach((d, i) => {
      if (!Number.isInteger(d) || d < 0 || d >= inRank) {
        throw new TesseraError(
          "dimension_out_of_bounds",
          `projection output ${i} selects dimension ${d} of a rank-${inRank} input`,
          { output: i, dim: d, rank: inRank },
        );
      }
    });
    const rows = dims.map((d) => Array.from({ length: inRank }, (_, j) => (j === d ? 1 : 0)));
    return new ZAffineMap(rows, ZPoint.zeros(dims.length), inRank);
  }

  /** The constant map from rank `inRank` to the point `value`. */
  static constant(value: ZPoint, inRank: number): ZAffineMap {
    const rows = value.coords.map(() => new Array<number>(inRank).fill(0));
    return new ZAffineMap(rows, value, inRank);
  }

  /** Decodes `{ matrix, offset, inRank? }`, collecting all problems into one `ValidationError`. */
  static fromJSON(json: unknown, path = ""): ZAffineMap {
    const issues = new IssueCollector();
    const m = decodeAffineMap(json, path, issues);
    throwIfIssues(issues.issues, "affine map");
    return m!;
  }

  /** Rank of the output space (rows of `A`). */
  get outRank(): number {
    return this.offset.rank;
  }

  /** `A·x + b`. */
  apply(x: ZPoint): ZPoint {
    if (x.rank !== this.inRank) this.rankError(x.rank, "apply");
    const xc = x.coords;
    const out = new Array<number>(this.matrix.length);
    for (let i = 0; i < out.length; i++) {
      const row = this.matrix[i]!;
      let acc = this.offset.coords[i]!;
      // Check every step: an unsafe intermediate would round silently even if the result is safe.
      for (let j = 0; j < row.length; j++) {
        acc = checkedInt(acc + checkedInt(row[j]! * xc[j]!, "affine term"), "affine sum");
      }
      out[i] = acc;
    }
    return ZPoint.unsafe(out);
  }

  /**
   * The bounding box of the images of every point of `range` (computed from the corners
   * per output dimension, never by enumeration). An empty range maps to the empty range at
   * `A·start + b`.
   */
  applyRange(range: ZRange): ZRange {
    if (range.rank !== this.inRank) this.rankError(range.rank, "applyRange");
    const { lo, hi } = this.bounds(range);
    if (range.isEmpty()) return ZRange.unsafe(lo, lo.slice());
    return ZRange.unsafe(
      lo,
      hi.map((h) => checkedInt(h + 1, "affine range end")),
    );
  }

  /**
   * Inclusive per-output bounds of `A·x + b` over the points of a non-empty `range`:
   * for each row, positive coefficients take the low corner for the minimum and negative ones
   * the high corner. For an empty range both are `A·start + b`.
   */
  bounds(range: ZRange): { lo: number[]; hi: number[] } {
    const s = range.start.coords;
    const e = range.end.coords;
    const empty = range.isEmpty();
    const lo = new Array<number>(this.matrix.length);
    const hi = new Array<number>(this.matrix.length);
    for (let i = 0; i < lo.length; i++) {
      const row = this.matrix[i]!;
      let mn = this.offset.coords[i]!;
      let mx = mn;
      for (let j = 0; j < row.length; j++) {
        const a = row[j]!;
        if (a === 0) continue;
        const first = checkedInt(a * s[j]!, "affine term");
        const last = empty ? first : checkedInt(a * (e[j]! - 1), "affine term");
        if (a > 0) {
          mn = checkedInt(mn + first, "affine lower bound");
          mx = checkedInt(mx + last, "affine upper bound");
        } else {
          mn = checkedInt(mn + last, "affine lower bound");
          mx = checkedInt(mx + first, "affine upper bound");
        }
      }
      lo[i] = mn;
      hi[i] = mx;
    }
    return { lo, hi };
  }

  /**
   * `this ∘ inner`: the map `x ↦ this(inner(x))`, as in MLIR's `compose`.
   *
   * Example: with `f(y) = 2y` and `g(x) = x + 1`, `f.compose(g)(x) = 2x + 2`.
   */
  compose(inner: ZAffineMap): ZAffineMap {
    if (inner.outRank !== this.inRank) this.rankError(inner.outRank, "compose");
    const rows = this.matrix.map((row) =>
      Array.from({ length: inner.inRank }, (_, j) => {
        let acc = 0;
        for (let k = 0; k < row.length; k++) {
          acc = checkedInt(
            acc + checkedInt(row[k]! * inner.matrix[k]![j]!, "composed term"),
            "composed matrix entry",
          );
        }
        return acc;
      }),
    );
    const offset = this.apply(inner.offset);
    return new ZAffineMap(rows, offset, inner.inRank);
  }

  /** The map followed by a translation of its output. */
  translate(delta: ZPoint): ZAffineMap {
    return new ZAffineMap(this.matrix, this.offset.add(delta), this.inRank);
  }

  /** Column `j` of `A`: how output coordinates move per unit step of input dimension `j`. */
  column(j: number): number[] {
    return this.matrix.map((row) => row[j]!);
  }

  /** True when this is the identity map. */
  isIdentity(): boolean {
    return this.inRank === this.outRank && this.equals(ZAffineMap.identity(this.inRank));
  }

  /** True when `A` is a permutation matrix and `b` is zero. */
  isPermutation(): boolean {
    if (this.inRank !== this.outRank || this.offset.coords.some((v) => v !== 0)) return false;
    const colSeen = new Array<boolean>(this.inRank).fill(false);
    for (const row of this.matrix) {
      const ones = row.flatMap((v, j) => (v === 1 ? [j] : []));
      if (ones.length !== 1 || row.some((v) => v !== 0 && v !== 1)) return false;
      if (colSeen[ones[0]!]) return false;
      colSeen[ones[0]!] = true;
    }
    return true;
  }

  /** Structural equality of ranks, matrix and offset. */
  equals(other: ZAffineMap): boolean {
    if (this.inRank !== other.inRank || !this.offset.equals(other.offset)) return false;
    return this.matrix.every((row, i) => row.every((v, j) => v === other.matrix[i]![j]));
  }

  /** The JSON form `{ matrix, offset, inRank }`. */
  toJSON(): { matrix: number[][]; offset: number[]; inRank: number } {
    return { matrix: this.matrix.map((r) => r.slice()), offset: this.offset.toJSON(), inRank: this.inRank };
  }

  /** `x ↦ [x0 + 1, 2·x1]` style, inputs named x0..xn. */
  toString(): string {
    const terms = this.matrix.map((row, i) => {
      const parts: string[] = [];
      row.forEach((a, j) => {
        if (a === 0) return;
        const coef = a === 1 ? "" : a === -1 ? "-" : `${a}·`;
        parts.push(`${coef}x${j}`);
      });
      const b = this.offset.coords[i]!;
      if (b !== 0 || parts.length === 0) parts.push(String(b));
      return parts.join(" + ").replaceAll("+ -", "- ");
    });
    return `x ↦ [${terms.join(", ")}]`;
  }

  private rankError(found: number, op: string): never {
    throw new TesseraError("rank_mismatch", `${op}: the map takes rank ${this.inRank}, found rank ${found}`, {
      op,
      expected: this.inRank,
      found,
    });
  }

  /** @internal Builds without checks; for callers that constructed valid parts. */
  static unsafe(matrix: number[][], offset: number[], inRank: number): ZAffineMap {
    return new ZAffineMap(matrix, ZPoint.unsafe(offset), inRank);
  }
}

function toArray(p: ZPoint | readonly number[]): readonly number[] {
  return p instanceof ZPoint ? p.coords : p;
}

function checkMatrix(
  matrix: unknown,
  offset: readonly number[] | undefined,
  inRank: number | undefined,
  path: string,
  issues: IssueCollector,
): ZAffineMap | undefined {
  const mPath = pointer(path, "matrix");
  if (!Array.isArray(matrix)) {
    issues.add("expected_array", mPath, `expected a matrix (array of rows), found ${describe(matrix)}`);
    return undefined;
  }
  const rows: number[][] = [];
  let ok = true;
  matrix.forEach((row: unknown, i) => {
    const r = decodeIntArray(row, pointer(mPath, i), issues);
    if (r === undefined) ok = false;
    else rows.push(r);
  });
  if (!ok) return undefined;
  const width = inRank ?? rows[0]?.length;
  if (width === undefined) {
    issues.add("missing_field", pointer(path, "inRank"), "a matrix with no rows needs `inRank`");
    return undefined;
  }
  if (!Number.isSafeInteger(width) || width < 0) {
    issues.add(
      "not_integer",
      pointer(path, "inRank"),
      `inRank must be a non-negative integer, found ${width}`,
    );
    return undefined;
  }
  rows.forEach((r, i) => {
    if (r.length !== width) {
      ok = false;
      issues.add(
        "ragged_matrix",
        pointer(mPath, i),
        `row ${i} has ${r.length} entries but the map takes rank ${width}`,
        { row: i, expected: width, found: r.length },
      );
    }
  });
  const b = offset ?? new Array<number>(rows.length).fill(0);
  if (b.length !== rows.length) {
    ok = false;
    issues.add(
      "rank_mismatch",
      pointer(path, "offset"),
      `offset has ${b.length} entries but the matrix has ${rows.length} rows`,
      { expected: rows.length, found: b.length },
    );
  }
  b.forEach((v, i) => {
    if (!Number.isSafeInteger(v)) {
      ok = false;
      issues.add("not_integer", pointer(pointer(path, "offset"), i), `expected a safe integer, found ${v}`);
    }
  });
  return ok ? ZAffineMap.unsafe(rows, b.slice(), width) : undefined;
}

/** Decodes an affine map from JSON, recording issues; undefined when unusable. */
export function decodeAffineMap(json: unknown, path: string, issues: IssueCollector): ZAffineMap | undefined {
  if (!isJsonObject(json)) {
    issues.add("expected_object", path, `expected an affine map {matrix, offset}, found ${describe(json)}`);
    return undefined;
  }
  if (!("matrix" in json)) {
    issues.add("missing_field", pointer(path, "matrix"), "an affine map needs `matrix`");
    return undefined;
  }
  const offset = "offset" in json ? decodeIntArray(json.offset, pointer(path, "offset"), issues) : undefined;
  const offsetOk = !("offset" in json) || offset !== undefined;
  const inRank = json.inRank;
  if (inRank !== undefined && typeof inRank !== "number") {
    issues.add(
      "not_integer",
      pointer(path, "inRank"),
      `inRank must be an integer, found ${describe(inRank)}`,
    );
    return undefined;
  }
  // Check the matrix even when the offset is unusable, so that all problems are reported at once.
  const map = checkMatrix(json.matrix, offset, inRank, path, issues);
  return offsetOk ? map : undefined;
}

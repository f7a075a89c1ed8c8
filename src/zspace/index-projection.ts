import { TesseraError, throwIfIssues } from "../base/errors.js";
import { IssueCollector } from "../base/issue.js";
import { isJsonObject, pointer } from "../base/json.js";
import { checkedInt, decodeIntArray, describe } from "./integers.js";
import { decodeAffineMap, ZAffineMap } from "./z-affine-map.js";
import { ZPoint } from "./z-point.js";
import { ZRange } from "./z-range.js";

/**
 * An index projection (IPF): an affine map plus a box shape. Index point `i` selects the tensor
 * box `[A·i + b, A·i + b + shape)`; an index range selects the bounding box of its points' boxes.
 *
 * Worked example: a 3×3 convolution with stride 2 over a 1-D signal. Output index `o` reads
 * input `[2·o - 1, 2·o + 2)` (padding 1), so the projection is `A = [[2]]`, `b = [-1]`,
 * `shape = [3]`. Sharding the outputs `[0, 8)` into `[0, 4)` and `[4, 8)`:
 *
 * ```ts
 * const conv = IndexProjection.of(ZAffineMap.fromMatrix([[2]], [-1]), [3]);
 * conv.applyRange(ZRange.fromBounds([0], [4])); // [-1:8)  — shard 0 reads x[-1..7]
 * conv.applyRange(ZRange.fromBounds([4], [8])); // [7:16)  — shard 1 reads x[7..15]
 * ```
 *
 * The shards overlap on `[7:8)`: that is the halo, derived from arithmetic alone.
 */
export class IndexProjection {
  /** The affine part: index point → box origin. */
  readonly map: ZAffineMap;
  /** The box each index point selects. */
  readonly shape: ZPoint;

  private constructor(map: ZAffineMap, shape: ZPoint) {
    this.map = map;
    this.shape = shape;
  }

  /** A projection from a map and a shape of the map's output rank with non-negative extents. */
  static of(map: ZAffineMap, shape: ZPoint | readonly number[]): IndexProjection {
    const sh = shape instanceof ZPoint ? shape : ZPoint.from(shape);
    if (sh.rank !== map.outRank) {
      throw new TesseraError(
        "rank_mismatch",
        `projection shape has rank ${sh.rank} but the map outputs rank ${map.outRank}`,
        {
          expected: map.outRank,
          found: sh.rank,
        },
      );
    }
    sh.coords.forEach((v, i) => {
      if (v < 0)
        throw new TesseraError(
          "negative_extent",
          `projection shape extent ${v} in dimension ${i} is negative`,
          { dim: i, found: v },
        );
    });
    return new IndexProjection(map, sh);
  }

  /** The one-element-per-point projection through `map` (shape all ones). */
  static pointwise(map: ZAffineMap): IndexProjection {
    return new IndexProjection(map, ZPoint.ones(map.outRank));
  }

  /** The identity projection of rank `n`: index point `i` selects element `i`. */
  static identity(n: number): IndexProjection {
    return IndexProjection.pointwise(ZAffineMap.identity(n));
  }

  /** Decodes `{ map: {matrix, offset, inRank?}, shape: [...] }`, collecting every problem. */
  static fromJSON(json: unknown, path = ""): IndexProjection {
    const issues = new IssueCollector();
    const p = decodeProjection(json, path, issues);
    throwIfIssues(issues.issues, "index projection");
    return p!;
  }

  /** Rank of the index space. */
  get inRank(): number {
    return this.map.inRank;
  }

  /** Rank of the tensor space. */
  get outRank(): number {
    return this.map.outRank;
  }

  /** The box selected by one index point. */
  apply(index: ZPoint): ZRange {
    const origin = this.map.apply(index);
    return ZRange.unsafe(
      origin.toArray(),
      origin.coords.map((v, i) => checkedInt(v + this.shape.coords[i]!, "box end")),
    );
  }

  /**
   * The bounding box of the boxes selected by every point of `range`. An empty `range` selects
   * the empty box at `A·start + b`; a shape with a zero extent selects only empty boxes, so the
   * result is the (empty) box of the first point, `apply(range.start)`.
   */
  applyRange(range: ZRange): ZRange {
    if (range.rank !== this.inRank) {
      throw new TesseraError(
        "rank_mismatch",
        `projection takes rank ${this.inRank}, found rank ${range.rank}`,
        {
          expected: this.inRank,
          found: range.rank,
        },
      );
    }
    const { lo, hi } = this.map.bounds(range);
    if (range.isEmpty()) return ZRange.unsafe(lo, lo.slice());
    const sh = this.shape.coords;
    if (sh.includes(0)) return this.apply(range.start);
    return ZRange.unsafe(
      lo,
      hi.map((h, i) => checkedInt(h + sh[i]!, "projected end")),
    );
  }

  /** The projection followed by a translation of its boxes (e.g. into a tensor's coordinates). */
  translate(delta: ZPoint): IndexProjection {
    return new IndexProjection(this.map.translate(delta), this.shape);
  }

  /** Structural equality of map and shape. */
  equals(other: IndexProjection): boolean {
    return this.map.equals(other.map) && this.shape.equals(other.shape);
  }

  /** The JSON form `{ map, shape }`. */
  toJSON(): { map: ReturnType<ZAffineMap["toJSON"]>; shape: number[] } {
    return { map: this.map.toJSON(), shape: this.shape.toJSON() };
  }

  /** `x ↦ [2·x0 - 1] × (3)` style. */
  toString(): string {
    return `${this.map} × ${this.shape}`;
  }
}

/** Decodes an index projection from JSON, recording issues; undefined when unusable. */
export function decodeProjection(
  json: unknown,
  path: string,
  issues: IssueCollector,
): IndexProjection | undefined {
  if (!isJsonObject(json)) {
    issues.add("expected_object", path, `expected an index projection {map, shape}, found ${describe(json)}`);
    return undefined;
  }
  if (!("map" in json)) issues.add("missing_field", pointer(path, "map"), "an index projection needs `map`");
  if (!("shape" in json))
    issues.add("missing_field", pointer(path, "shape"), "an index projection needs `shape`");
  if (!("map" in json) || !("shape" in json)) return undefined;
  const map = decodeAffineMap(json.map, pointer(path, "map"), issues);
  const shape = decodeIntArray(json.shape, pointer(path, "shape"), issues);
  if (map === undefined || shape === undefined) return undefined;
  if (shape.length !== map.outRank) {
    issues.add(
      "rank_mismatch",
      pointer(path, "shape"),
      `projection shape has rank ${shape.length} but the map outputs rank ${map.outRank}`,
      { expected: map.outRank, found: shape.length },
    );
    return undefined;
  }
  let ok = true;
  shape.forEach((v, i) => {
    if (v < 0) {
      ok = false;
      issues.add("negative_extent", pointer(pointer(path, "shape"), i), `shape extent ${v} is negative`, {
        dim: i,
        found: v,
      });
    }
  });
  return ok ? IndexProjection.of(map, shape) : undefined;
}

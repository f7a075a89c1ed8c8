import { TesseraError } from "../base/errors.js";
import type { TensorDecl } from "../ir/program.js";
import type { ZRange } from "../zspace/z-range.js";

/** One axis of a 2-D view: the tensor dimension it shows (null for a stand-in axis) and its bounds. */
export interface ViewAxis {
  readonly dim: number | null;
  readonly start: number;
  readonly end: number;
}

/**
 * A 2-D slice of a tensor: its last two dimensions as rows and columns, every leading dimension
 * fixed at one coordinate. A rank-1 tensor is one row (a 1×n strip), a scalar one cell.
 */
export interface TensorView {
  readonly tensor: TensorDecl;
  /** The fixed coordinates of dimensions `0 .. rank-3`. */
  readonly fixed: readonly number[];
  readonly rows: ViewAxis;
  readonly cols: ViewAxis;
}

/** A box of a view, in tensor coordinates: columns `[x0, x1)`, rows `[y0, y1)`. */
export interface ViewRect {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/**
 * The 2-D view of `tensor` at `slice` (coordinates of its leading dimensions, default each
 * dimension's start). Throws `invalid_slice` when the slice has the wrong length or a
 * coordinate outside the tensor.
 */
export function tensorView(tensor: TensorDecl, slice?: readonly number[]): TensorView {
  const range = tensor.range;
  const rank = range.rank;
  const lead = Math.max(0, rank - 2);
  const fixed = slice ?? range.start.coords.slice(0, lead);
  if (fixed.length !== lead) {
    throw new TesseraError(
      "invalid_slice",
      `tensor '${tensor.id}' has rank ${rank}, so a slice fixes ${lead} leading dimension${lead === 1 ? "" : "s"}, but ${fixed.length} coordinate${fixed.length === 1 ? " was" : "s were"} given`,
      { tensor: tensor.id, expected: lead, found: fixed.length },
    );
  }
  fixed.forEach((c, d) => {
    const [s, e] = [range.start.at(d), range.end.at(d)];
    if (!Number.isSafeInteger(c) || c < s || c >= e) {
      throw new TesseraError(
        "invalid_slice",
        `slice coordinate ${c} of dimension ${d} of tensor '${tensor.id}' is not in [${s}, ${e})`,
        { tensor: tensor.id, dim: d, coordinate: c, start: s, end: e },
      );
    }
  });
  const axis = (d: number): ViewAxis => ({ dim: d, start: range.start.at(d), end: range.end.at(d) });
  const unit: ViewAxis = { dim: null, start: 0, end: 1 };
  return {
    tensor,
    fixed: fixed.slice(),
    rows: rank >= 2 ? axis(rank - 2) : unit,
    cols: rank >= 1 ? axis(rank - 1) : unit,
  };
}

/** `region` of the tensor as a box of the view; undefined when it misses the slice or is empty. */
export function viewRect(view: TensorView, region: ZRange): ViewRect | undefined {
  if (region.rank !== view.tensor.range.rank) return undefined;
  const inSlice = view.fixed.every((c, d) => region.start.at(d) <= c && c < region.end.at(d));
  if (!inSlice) return undefined;
  const span = (axis: ViewAxis) =>
    axis.dim === null
      ? [axis.start, axis.end]
      : [Math.max(axis.start, region.start.at(axis.dim)), Math.min(axis.end, region.end.at(axis.dim))];
  const [x0, x1] = span(view.cols) as [number, number];
  const [y0, y1] = span(view.rows) as [number, number];
  return x1 > x0 && y1 > y0 ? { x0, x1, y0, y1 } : undefined;
}

/** The slice in index notation: `[0, 2, :, :]`, `[:]` for rank 1, `[]` for a scalar. */
export function sliceText(view: TensorView): string {
  const rank = view.tensor.range.rank;
  return `[${[...view.fixed.map(String), ...Array.from({ length: Math.min(rank, 2) }, () => ":")].join(", ")}]`;
}

/**
 * The parts of `a` outside `b`, as at most four disjoint boxes (bands above and below `b`,
 * then left and right of it). Example: `[0,4)×[0,4)` minus `[0,4)×[0,2)` is `[0,4)×[2,4)`.
 */
export function subtractRect(a: ViewRect, b: ViewRect): ViewRect[] {
  const [x0, x1] = [Math.max(a.x0, b.x0), Math.min(a.x1, b.x1)];
  const [y0, y1] = [Math.max(a.y0, b.y0), Math.min(a.y1, b.y1)];
  if (x0 >= x1 || y0 >= y1) return [a];
  const parts: ViewRect[] = [
    { x0: a.x0, x1: a.x1, y0: a.y0, y1: y0 },
    { x0: a.x0, x1: a.x1, y0: y1, y1: a.y1 },
    { x0: a.x0, x1: x0, y0, y1 },
    { x0: x1, x1: a.x1, y0, y1 },
  ];
  return parts.filter((r) => r.x1 > r.x0 && r.y1 > r.y0);
}

/**
 * How a layout kernel's shard (transpose, slice, broadcast_to, copy, pad) makes its output box
 * from x's needed box, read off the rows of x's projection alone, for lowerings to other
 * runtimes. Each row is zero (a broadcast dimension of x, extent 1) or one positive step on one
 * index column. The steps run in this order, and a step that would change nothing is absent:
 *
 * 1. `slice`: take every `slice[d]`-th element along each dimension of x (some step > 1);
 * 2. `squeeze`: reshape to this shape, dropping x's broadcast dimensions;
 * 3. `permute`: put the dimensions read in the order of the index columns they follow;
 * 4. `place`: reshape to this shape, inserting extent 1 for the output dimensions x lacks;
 * 5. `expand`: broadcast to the output shape.
 *
 * When x is read right-aligned against the output with steps of 1 (numpy's broadcasting), only
 * `expand` is needed, or nothing at all: a plain copy.
 */
export type LayoutSteps =
  | { readonly refused: string }
  | {
      readonly slice?: readonly number[];
      readonly squeeze?: readonly number[];
      readonly permute?: readonly number[];
      readonly place?: readonly number[];
      readonly expand?: readonly number[];
    };

/** How one dimension of x is read: not at all (a zero row), or index column `column` with `step`. */
type Axis = { readonly column: number; readonly step: number } | undefined;

/** The axis a projection row reads, undefined for a zero row, null for anything else. */
function readAxis(row: readonly number[]): Axis | null {
  const nonzero = row.flatMap((v, column) => (v === 0 ? [] : [{ column, step: v }]));
  if (nonzero.length === 0) return undefined;
  const only = nonzero[0]!;
  return nonzero.length === 1 && only.step > 0 ? only : null;
}

/**
 * The steps from x's needed box (`dims`) to the output box (`out`) for x's projection `rows`,
 * or why the projection is no layout (`refused`).
 *
 * ```ts
 * layoutSteps([[0, 1], [1, 0]], [3, 2], [2, 3]); // a transpose: { permute: [1, 0] }
 * ```
 */
export function layoutSteps(
  rows: readonly (readonly number[])[],
  dims: readonly number[],
  out: readonly number[],
): LayoutSteps {
  const axes = rows.map(readAxis);
  if (axes.includes(null)) return { refused: "x projection is not a layout (steps on single columns)" };
  const read = axes.flatMap((a, d) => (a === undefined || a === null ? [] : [{ ...a, d }]));
  if (new Set(read.map((a) => a.column)).size !== read.length)
    return { refused: "x projection reads two dims of x from one index column" };
  const lead = out.length - dims.length;
  if (read.every((a) => a.step === 1 && a.column === lead + a.d)) {
    const same = lead === 0 && dims.every((size, d) => size === out[d]);
    return same ? {} : { expand: out.slice() };
  }
  const order = read.map((a, i) => ({ ...a, i })).sort((p, q) => p.column - q.column);
  const placed = out.map((size, col) => (order.some((a) => a.column === col) ? size : 1));
  return {
    ...(read.some((a) => a.step > 1) ? { slice: axes.map((a) => a?.step ?? 1) } : {}),
    ...(read.length !== dims.length ? { squeeze: read.map((a) => out[a.column]!) } : {}),
    ...(order.some((a, k) => a.i !== k) ? { permute: order.map((a) => a.i) } : {}),
    ...(placed.length !== order.length ? { place: placed } : {}),
    ...(placed.some((size, col) => size !== out[col]) ? { expand: out.slice() } : {}),
  };
}

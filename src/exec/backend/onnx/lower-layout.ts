import { type Lowering, ShardGraph } from "./lowering.js";

/** How one dimension of x is read: not at all (a zero row, extent 1), or index column `column` with `step`. */
type Axis = { readonly column: number; readonly step: number } | undefined;

/**
 * transpose, slice, broadcast_to and copy: each output element is the x element that x's
 * projection selects, and each row of that projection is zero (a broadcast dimension) or one
 * positive step on one index column. From the rows alone, emitting only the ops that change
 * something: Slice (steps > 1), Reshape (drop broadcast dims), Transpose (columns out of order),
 * Reshape (insert the output dims x lacks), Expand (stretch them). transpose is then one
 * Transpose, slice one Slice, copy an Identity and broadcast_to an Expand.
 */
export const layoutLowering: Lowering = (geometry, ctx) => {
  const rows = ctx.signature.inputs.x?.projection.map.matrix ?? [];
  const axes = rows.map(readAxis);
  if (axes.includes(null)) return { unsupported: "x projection is not a layout (steps on single columns)" };
  const read = axes.flatMap((a, d) => (a === undefined || a === null ? [] : [{ ...a, d }]));
  if (new Set(read.map((a) => a.column)).size !== read.length)
    return { unsupported: "x projection reads two dims of x from one index column" };

  const s = new ShardGraph(geometry);
  const { g } = s;
  const x = s.fitted("x");
  let v = s.input("x");
  const dims = x.needed.shape.toArray();
  const out = s.outDims;
  const lead = out.length - dims.length;
  if (read.every((a) => a.step === 1 && a.column === lead + a.d)) {
    // x right-aligned against the output, as numpy broadcasting aligns: Expand alone (or nothing).
    const same = lead === 0 && dims.every((size, d) => size === out[d]);
    return s.done(same ? v : g.op("Expand", [v, g.int64s(out)]));
  }
  if (read.some((a) => a.step > 1)) {
    const steps = axes.map((a) => a?.step ?? 1);
    const all = dims.map((_, d) => d);
    v = g.op("Slice", [v, g.int64s(dims.map(() => 0)), g.int64s(dims), g.int64s(all), g.int64s(steps)]);
  }
  if (read.length !== dims.length) v = g.op("Reshape", [v, g.int64s(read.map((a) => out[a.column]!))]);
  const order = read.map((a, i) => ({ ...a, i })).sort((p, q) => p.column - q.column);
  if (order.some((a, k) => a.i !== k)) v = g.op("Transpose", [v], { perm: order.map((a) => a.i) });
  const placed = out.map((size, col) => (order.some((a) => a.column === col) ? size : 1));
  if (placed.length !== order.length) v = g.op("Reshape", [v, g.int64s(placed)]);
  if (placed.some((size, col) => size !== out[col])) v = g.op("Expand", [v, g.int64s(out)]);
  return s.done(v);
};

/** The axis a projection row reads, undefined for a zero row, null for anything else. */
function readAxis(row: readonly number[]): Axis | null {
  const nonzero = row.flatMap((v, column) => (v === 0 ? [] : [{ column, step: v }]));
  if (nonzero.length === 0) return undefined;
  const only = nonzero[0]!;
  return nonzero.length === 1 && only.step > 0 ? only : null;
}

import { pyFloat, pyList, pyTuple } from "./py-code.js";
import { refuse, required, type TorchLowering } from "./torch-lowering.js";

/** The reduction kernels. */
type ReduceKernelId = "sum" | "max" | "min" | "mean";

/**
 * sum/max/min/mean over the signature's reduction dims (x is read through the identity, so
 * they are x's axes), kept and then reshaped to the output box. int32 sums run in int64 and
 * wrap back, as the reference's int32 store does; amax/amin let NaN win, as the reference's
 * max/min do; mean divides by the FULL reduced count, so partial means sum to the mean.
 */
export function reduceLowering(kernel: ReduceKernelId): TorchLowering {
  return (s) => {
    const x = required(s, "x");
    const axes = s.signature.reductions.map((r) => r.dim);
    if (axes.length === 0) return x;
    const dims = pyTuple(axes);
    const out = pyList(s.out.range.shape.coords);
    const { code } = s;
    if (kernel === "sum" && s.out.dtype === "int32")
      return code.let(
        `torch.sum(${x}, dim=${dims}, keepdim=True, dtype=torch.int64).to(torch.int32).reshape(${out})`,
      );
    if (kernel === "max" || kernel === "min")
      return code.let(`torch.a${kernel}(${x}, dim=${dims}, keepdim=True).reshape(${out})`);
    const sum = code.let(`torch.sum(${x}, dim=${dims}, keepdim=True).reshape(${out})`);
    if (kernel === "sum") return sum;
    const full = s.signature.index.shape.coords;
    return code.let(`${sum} / ${axes.reduce((p, d) => p * full[d]!, 1)}`);
  };
}

/** softmax along the one dimension of x the index does not move (its zero row): every shard holds whole lines. */
export const softmaxLowering: TorchLowering = (s) => {
  const rows = s.signature.inputs.x?.projection.map.matrix ?? [];
  const lines = rows.flatMap((row, d) => (row.every((v) => v === 0) ? [d] : []));
  if (lines.length !== 1) throw refuse(s, "softmax over a projection with no single line dimension");
  return s.code.let(`torch.softmax(${required(s, "x")}, dim=${lines[0]})`);
};

/** layer_norm with the reference's two-pass formula over x's trailing dims (those after the index's). */
export const layerNormLowering: TorchLowering = (s) => {
  const p = s.params as { eps?: unknown } | null;
  const eps = typeof p === "object" && p !== null && typeof p.eps === "number" ? p.eps : undefined;
  if (eps === undefined) throw refuse(s, "layer_norm params without a numeric eps");
  const x = required(s, "x");
  const lead = s.signature.index.rank;
  const rank = s.needed("x").rank;
  const axes = pyTuple(Array.from({ length: rank - lead }, (_, i) => lead + i));
  const { code } = s;
  const centred = code.let(`${x} - ${x}.mean(dim=${axes}, keepdim=True)`);
  const variance = code.let(`(${centred} * ${centred}).mean(dim=${axes}, keepdim=True)`);
  let y = code.let(`${centred} * (1.0 / torch.sqrt(${variance} + ${pyFloat(eps)}))`);
  const weight = s.input("weight");
  if (weight !== undefined) y = code.let(`${y} * ${weight}`);
  const bias = s.input("bias");
  if (bias !== undefined) y = code.let(`${y} + ${bias}`);
  return y;
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
 * transpose, slice, broadcast_to and copy, from x's projection rows alone (as the ONNX lowering):
 * strided slicing for steps > 1, reshape to drop broadcast dims, permute for columns out of
 * order, reshape to insert the output dims x lacks, expand to stretch them.
 */
export const layoutLowering: TorchLowering = (s) => {
  const rows = s.signature.inputs.x?.projection.map.matrix ?? [];
  const axes = rows.map(readAxis);
  if (axes.includes(null)) throw refuse(s, "x projection is not a layout (steps on single columns)");
  const read = axes.flatMap((a, d) => (a === undefined || a === null ? [] : [{ ...a, d }]));
  if (new Set(read.map((a) => a.column)).size !== read.length)
    throw refuse(s, "x projection reads two dims of x from one index column");
  const { code } = s;
  let v = required(s, "x");
  const dims = s.needed("x").shape.toArray();
  const out = s.out.range.shape.toArray();
  const lead = out.length - dims.length;
  if (read.every((a) => a.step === 1 && a.column === lead + a.d)) {
    const same = lead === 0 && dims.every((size, d) => size === out[d]);
    return same ? v : code.let(`${v}.expand(${pyList(out)})`);
  }
  if (read.some((a) => a.step > 1)) {
    const steps = axes.map((a) => a?.step ?? 1);
    v = code.let(`${v}[${steps.map((st) => `::${st}`).join(", ")}]`);
  }
  if (read.length !== dims.length) v = code.let(`${v}.reshape(${pyList(read.map((a) => out[a.column]!))})`);
  const order = read.map((a, i) => ({ ...a, i })).sort((p, q) => p.column - q.column);
  if (order.some((a, k) => a.i !== k)) v = code.let(`${v}.permute(${pyList(order.map((a) => a.i))})`);
  const placed = out.map((size, col) => (order.some((a) => a.column === col) ? size : 1));
  if (placed.length !== order.length) v = code.let(`${v}.reshape(${pyList(placed)})`);
  if (placed.some((size, col) => size !== out[col])) v = code.let(`${v}.expand(${pyList(out)})`);
  return v;
};

/** reshape over its whole index range (it is unshardable: a box of the output does not read a box of x). */
export const reshapeLowering: TorchLowering = (s) => {
  if (!s.index.equals(s.signature.index)) throw refuse(s, "reshape lowers only over its whole index range");
  return s.code.let(`${required(s, "x")}.reshape(${pyList(s.out.range.shape.coords)})`);
};

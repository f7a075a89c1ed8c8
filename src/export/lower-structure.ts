import { layoutSteps } from "../kernels/library/layout-steps.js";
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

/**
 * transpose, slice, broadcast_to, copy and pad: the steps of `layoutSteps` (as the ONNX
 * lowering takes them) as strided slicing, reshape, permute, reshape and expand.
 */
export const layoutLowering: TorchLowering = (s) => {
  const dims = s.needed("x").shape.toArray();
  const out = s.out.range.shape.toArray();
  const steps = layoutSteps(s.signature.inputs.x?.projection.map.matrix ?? [], dims, out);
  if ("refused" in steps) throw refuse(s, steps.refused);
  const { code } = s;
  let v = required(s, "x");
  if (steps.slice !== undefined) v = code.let(`${v}[${steps.slice.map((st) => `::${st}`).join(", ")}]`);
  if (steps.squeeze !== undefined) v = code.let(`${v}.reshape(${pyList(steps.squeeze)})`);
  if (steps.permute !== undefined) v = code.let(`${v}.permute(${pyList(steps.permute)})`);
  if (steps.place !== undefined) v = code.let(`${v}.reshape(${pyList(steps.place)})`);
  if (steps.expand !== undefined) v = code.let(`${v}.expand(${pyList(steps.expand)})`);
  return v;
};

/** reshape over its whole index range (it is unshardable: a box of the output does not read a box of x). */
export const reshapeLowering: TorchLowering = (s) => {
  if (!s.index.equals(s.signature.index)) throw refuse(s, "reshape lowers only over its whole index range");
  return s.code.let(`${required(s, "x")}.reshape(${pyList(s.out.range.shape.coords)})`);
};

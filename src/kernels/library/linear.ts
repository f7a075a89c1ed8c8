import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { runPointwise } from "../numeric/pointwise.js";
import { regionFromAccumulator } from "../numeric/region-access.js";
import type { OperandSignature, Signature, TensorType } from "../signature.js";
import { checkDimEquals, checkRank, commonDtype, FLOAT_DTYPES, requireInput, unitRow } from "./operands.js";
import { decodeNoParams, type NoParams } from "./param-reader.js";

/** Params of linear: none (the bias is an optional third input, not a flag). */
export type LinearParams = NoParams;

/**
 * `x [..., in] · w [in, out] + b [out]` with `b` optional. The index space is
 * `[batch..., out, in]` with `in` a sum reduction; `b` is read through `(…, o, i) ↦ (o)`.
 *
 * Example: `x [4, 8]`, `w [8, 16]` → index `[4, 16, 8]`, output `[4, 16]`.
 */
export const linearSignature: SignatureFn<LinearParams> = (inputs, _params, issues, path) => {
  const x = requireInput(inputs, "x", "linear", issues, path);
  const w = requireInput(inputs, "w", "linear", issues, path);
  const b = inputs.b;
  if (x === undefined || w === undefined) return undefined;
  const typed: [string, TensorType][] = [
    ["x", x],
    ["w", w],
  ];
  if (b !== undefined) typed.push(["b", b]);
  const dtype = commonDtype(typed, FLOAT_DTYPES, "linear", issues, path);
  const xOk = checkRank(
    "x",
    x,
    1,
    Number.POSITIVE_INFINITY,
    "its last dimension holds the features",
    issues,
    path,
  );
  const wOk = checkRank("w", w, 2, 2, "it maps in features to out features", issues, path);
  if (!xOk || !wOk) return undefined;
  const rx = x.shape.length;
  const nIn = x.shape[rx - 1]!;
  const nOut = w.shape[1]!;
  let ok = checkDimEquals("w", w, 0, "in", nIn, `input x dimension ${rx - 1}`, issues, path);
  if (b !== undefined) {
    ok =
      checkRank("b", b, 1, 1, "one bias per output feature", issues, path) &&
      checkDimEquals("b", b, 0, "out", nOut, "input w dimension 1", issues, path) &&
      ok;
  }
  if (dtype === undefined || !ok) return undefined;

  const batch = x.shape.slice(0, -1);
  const nb = batch.length;
  const outCol = nb;
  const inCol = nb + 1;
  const rank = nb + 2;
  const read = (rows: number[][]) => IndexProjection.pointwise(ZAffineMap.fromMatrix(rows, undefined, rank));
  const batchRows = batch.map((_, i) => unitRow(i, rank));
  const operands: Record<string, OperandSignature> = {
    x: { shape: x.shape.slice(), dtype, projection: read([...batchRows, unitRow(inCol, rank)]) },
    w: { shape: w.shape.slice(), dtype, projection: read([unitRow(inCol, rank), unitRow(outCol, rank)]) },
  };
  if (b !== undefined)
    operands.b = { shape: b.shape.slice(), dtype, projection: read([unitRow(outCol, rank)]) };
  return {
    index: ZRange.fromShape([...batch, nOut, nIn]),
    indexNames: [...batch.map((_, i) => `batch${i}`), "out", "in"],
    inputs: operands,
    outputs: {
      out: { shape: [...batch, nOut], dtype, projection: read([...batchRows, unitRow(outCol, rank)]) },
    },
    reductions: [{ dim: inCol, monoid: "sum" }],
  };
};

const mul = (x: Float64Array): number => x[0]! * x[1]!;
const first = (x: Float64Array): number => x[0]!;

/** `x · w + b`; the bias is added once, by the shard whose `in` range starts at 0. */
export const LINEAR_KERNEL: KernelDef<LinearParams> = {
  id: "linear",
  summary: "affine layer x · w + b over the last dimension of x (b optional)",
  inputs: ["x", "w", "b"],
  outputs: ["out"],
  decodeParams: decodeNoParams("linear"),
  signature: linearSignature,
  impl: (ctx) => {
    const sig = ctx.signature;
    const out = sig.outputs.out!;
    // Both passes write float64 so that the float32 result is rounded once, after the bias.
    const wide: Signature = { ...sig, outputs: { out: { ...out, dtype: "float64" } } };
    const product = runPointwise(
      { ...ctx, signature: wide },
      { inputs: ["x", "w"], output: "out", compute: mul },
    );
    const acc = Float64Array.from(product.data);
    const inCol = sig.index.rank - 1;
    if (sig.inputs.b !== undefined && ctx.index.start.coords[inCol] === sig.index.start.coords[inCol]) {
      // Reading b over a one-wide `in` range writes b[o] once into every output element.
      const end = ctx.index.end.toArray();
      end[inCol] = ctx.index.start.coords[inCol]! + 1;
      const once = ZRange.unsafe(ctx.index.start.toArray(), end);
      const bias = runPointwise(
        { ...ctx, signature: wide, index: once },
        { inputs: ["b"], output: "out", compute: first },
      );
      for (let i = 0; i < acc.length; i++) acc[i]! += bias.data[i]!;
    }
    return { out: regionFromAccumulator(out.dtype, product.range, acc) };
  },
};

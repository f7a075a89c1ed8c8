import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { runPointwise } from "../numeric/pointwise.js";
import { broadcastRows, broadcastShapes } from "./broadcast.js";
import { ANY_DTYPE, checkDimEquals, checkRank, commonDtype, requireInput, unitRow } from "./operands.js";
import { decodeNoParams, type NoParams } from "./param-reader.js";

/** Params of matmul: none. */
export type MatmulParams = NoParams;

/**
 * numpy `matmul`: `a [..., m, k] · b [..., k, n] → [..., m, n]` with broadcast batch dimensions.
 * A 1-D `a` is promoted to `[1, k]` and a 1-D `b` to `[k, 1]`, and the promoted dimension is
 * dropped again, from the output and from the index space alike. The index space is
 * `[batch..., m, n, k]` (without `m` or `n` when dropped) and `k` is a sum reduction; every
 * projection is one element per point, so the body is a pointwise `a · b`.
 *
 * Example: `a [8, 2, 3]`, `b [3, 4]` → index `[8, 2, 4, 3]`, `a` read through
 * `(t, i, j, k) ↦ (t, i, k)`, `b` through `(t, i, j, k) ↦ (k, j)`, output `[8, 2, 4]`.
 */
export const matmulSignature: SignatureFn<MatmulParams> = (inputs, _params, issues, path) => {
  const a = requireInput(inputs, "a", "matmul", issues, path);
  const b = requireInput(inputs, "b", "matmul", issues, path);
  if (a === undefined || b === undefined) return undefined;
  const why = "matmul needs a vector or a matrix stack";
  const ranksOk =
    checkRank("a", a, 1, Number.POSITIVE_INFINITY, why, issues, path) &&
    checkRank("b", b, 1, Number.POSITIVE_INFINITY, why, issues, path);
  const dtype = commonDtype(
    [
      ["a", a],
      ["b", b],
    ],
    ANY_DTYPE,
    "matmul",
    issues,
    path,
  );
  if (!ranksOk) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const aVec = ra === 1;
  const bVec = rb === 1;
  const k = a.shape[ra - 1]!;
  const bkDim = bVec ? 0 : rb - 2;
  const kOk = checkDimEquals("b", b, bkDim, "k", k, `input a dimension ${ra - 1}`, issues, path);
  const aBatch = a.shape.slice(0, aVec ? 0 : -2);
  const bBatch = b.shape.slice(0, bVec ? 0 : -2);
  const batch = broadcastShapes(
    [
      { name: "a", shape: aBatch },
      { name: "b", shape: bBatch },
    ],
    issues,
    path,
  );
  if (dtype === undefined || !kOk || batch === undefined) return undefined;

  // Index columns: batch..., then m and n when present, then k last.
  const nb = batch.length;
  const mCol = aVec ? undefined : nb;
  const nCol = bVec ? undefined : nb + (aVec ? 0 : 1);
  const kCol = nb + (aVec ? 0 : 1) + (bVec ? 0 : 1);
  const rank = kCol + 1;
  const m = aVec ? undefined : a.shape[ra - 2]!;
  const n = bVec ? undefined : b.shape[rb - 1]!;
  const extents = [...batch, ...(m === undefined ? [] : [m]), ...(n === undefined ? [] : [n]), k];
  const names = [...batch.map((_, i) => `batch${i}`), ...(aVec ? [] : ["m"]), ...(bVec ? [] : ["n"]), "k"];

  const aRows = [
    ...broadcastRows(aBatch, batch, rank),
    ...(mCol === undefined ? [] : [unitRow(mCol, rank)]),
    unitRow(kCol, rank),
  ];
  const bRows = [
    ...broadcastRows(bBatch, batch, rank),
    unitRow(kCol, rank),
    ...(nCol === undefined ? [] : [unitRow(nCol, rank)]),
  ];
  const outCols = [
    ...batch.map((_, i) => i),
    ...(mCol === undefined ? [] : [mCol]),
    ...(nCol === undefined ? [] : [nCol]),
  ];
  const outShape = outCols.map((c) => extents[c]!);
  const read = (rows: number[][]) => IndexProjection.pointwise(ZAffineMap.fromMatrix(rows, undefined, rank));
  return {
    index: ZRange.fromShape(extents),
    indexNames: names,
    inputs: {
      a: { shape: a.shape.slice(), dtype, projection: read(aRows) },
      b: { shape: b.shape.slice(), dtype, projection: read(bRows) },
    },
    outputs: {
      out: {
        shape: outShape,
        dtype,
        projection: IndexProjection.pointwise(ZAffineMap.projection(outCols, rank)),
      },
    },
    reductions: [{ dim: kCol, monoid: "sum" }],
  };
};

/** numpy matmul with batch broadcasting and 1-D operands; int32 products wrap mod 2^32. */
export const MATMUL_KERNEL: KernelDef<MatmulParams> = {
  id: "matmul",
  summary: "matrix product a · b with numpy semantics (batched, broadcast, 1-D promoted)",
  inputs: ["a", "b"],
  outputs: ["out"],
  decodeParams: decodeNoParams("matmul"),
  signature: matmulSignature,
  impl: (ctx) => {
    // Math.imul keeps int32 products exact mod 2^32; their float64 sum then wraps correctly on store.
    const isInt = ctx.signature.outputs.out?.dtype === "int32";
    const compute = isInt ? (x: Float64Array) => Math.imul(x[0]!, x[1]!) : (x: Float64Array) => x[0]! * x[1]!;
    return { out: runPointwise(ctx, { inputs: ["a", "b"], output: "out", compute }) };
  },
};

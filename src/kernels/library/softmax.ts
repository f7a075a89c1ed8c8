import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { forEachPoint } from "../numeric/index-walk.js";
import { offsetIn, projectOrigin, readOrZero, regionFromAccumulator } from "../numeric/region-access.js";
import { resolveAxis } from "./axes.js";
import { checkRank, commonDtype, FLOAT_DTYPES, requireInput, unitRow, zeroRow } from "./operands.js";
import { ParamReader } from "./param-reader.js";

/** Params of softmax. */
export interface SoftmaxParams {
  /** The dimension normalized over, negatives counting from the end; default -1. */
  readonly dim: number;
}

/**
 * The softmax signature: the index space is the input's shape *without* `dim`, and each index
 * point selects the whole line along `dim` in both input and output (a box of full extent
 * there), so no sharding ever splits the normalization.
 *
 * Example: `dim: 1` of `x [4, 10, 6]` → index `[4, 6]`, `x` and `out` read through
 * `(i, k) ↦ (i, 0, k)` with box shape `[1, 10, 1]`.
 */
export const softmaxSignature: SignatureFn<SoftmaxParams> = (inputs, params, issues, path) => {
  const x = requireInput(inputs, "x", "softmax", issues, path);
  if (x === undefined) return undefined;
  const dtype = commonDtype([["x", x]], FLOAT_DTYPES, "softmax", issues, path);
  if (
    !checkRank(
      "x",
      x,
      1,
      Number.POSITIVE_INFINITY,
      "softmax normalizes along one of its dimensions",
      issues,
      path,
    )
  ) {
    return undefined;
  }
  const rank = x.shape.length;
  const dim = resolveAxis(params.dim, rank, "dim", undefined, "x", issues, path);
  if (dtype === undefined || dim === undefined) return undefined;
  const indexRank = rank - 1;
  const rows = x.shape.map((_, d) =>
    d === dim ? zeroRow(indexRank) : unitRow(d < dim ? d : d - 1, indexRank),
  );
  const box = x.shape.map((size, d) => (d === dim ? size : 1));
  const line = IndexProjection.of(ZAffineMap.fromMatrix(rows, undefined, indexRank), box);
  const kept = x.shape.flatMap((size, d) => (d === dim ? [] : [{ size, name: `d${d}` }]));
  return {
    index: ZRange.fromShape(kept.map((k) => k.size)),
    indexNames: kept.map((k) => k.name),
    inputs: { x: { shape: x.shape.slice(), dtype, projection: line } },
    outputs: { out: { shape: x.shape.slice(), dtype, projection: line } },
    reductions: [],
  };
};

/** Numerically stable softmax along `dim`: `exp(x - max) / Σ exp(x - max)`, in float64. */
export const SOFTMAX_KERNEL: KernelDef<SoftmaxParams> = {
  id: "softmax",
  summary: "softmax of x along one dimension (numerically stable)",
  inputs: ["x"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) => {
    const r = ParamReader.open(raw, "softmax", ["dim"], issues, path);
    return r?.done({ dim: r.int("dim", -1) });
  },
  signature: softmaxSignature,
  impl: (ctx) => {
    const xSig = ctx.signature.inputs.x!;
    const outSig = ctx.signature.outputs.out!;
    const x = ctx.inputs.x!;
    const rank = xSig.shape.length;
    const dim = ctx.params.dim < 0 ? ctx.params.dim + rank : ctx.params.dim;
    const length = xSig.projection.shape.coords[dim]!;
    const outRange = outSig.projection.applyRange(ctx.index);
    const acc = new Float64Array(outRange.size);
    const line = new Float64Array(length);
    const at: number[] = [];
    const outAt: number[] = [];
    forEachPoint(ctx.index, (p) => {
      projectOrigin(xSig.projection, p, at);
      const start = at[dim]!;
      let max = Number.NEGATIVE_INFINITY;
      for (let t = 0; t < length; t++) {
        at[dim] = start + t;
        line[t] = readOrZero(x, at);
        if (line[t]! > max || Number.isNaN(line[t]!)) max = line[t]!;
      }
      // Subtracting the max keeps every exponent ≤ 0: no overflow, and the largest term is 1.
      let total = 0;
      for (let t = 0; t < length; t++) {
        line[t] = Math.exp(line[t]! - max);
        total += line[t]!;
      }
      projectOrigin(outSig.projection, p, outAt);
      const outStart = outAt[dim]!;
      for (let t = 0; t < length; t++) {
        outAt[dim] = outStart + t;
        acc[offsetIn(outRange, outAt)] = line[t]! / total;
      }
    });
    return { out: regionFromAccumulator(outSig.dtype, outRange, acc) };
  },
};

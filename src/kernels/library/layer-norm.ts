import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZPoint } from "../../zspace/z-point.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { forEachPoint } from "../numeric/index-walk.js";
import { offsetIn, projectOrigin, readOrZero, regionFromAccumulator } from "../numeric/region-access.js";
import type { OperandSignature, TensorType } from "../signature.js";
import {
  checkDimEquals,
  checkRank,
  commonDtype,
  FLOAT_DTYPES,
  formatShape,
  paramPath,
  requireInput,
  unitRow,
  zeroRow,
} from "./operands.js";
import { ParamReader } from "./param-reader.js";

/** Params of layer_norm. */
export interface LayerNormParams {
  /** How many trailing dimensions of x are normalized together; default 1, at least 1. */
  readonly normalizedDims: number;
  /** Added to the variance before the square root; default 1e-5, at least 0. */
  readonly eps: number;
}

/**
 * The layer_norm signature: the index space is x's leading (unnormalized) dimensions and each
 * index point selects the whole trailing block of x and of the output; the optional `weight`
 * and `bias`, shaped like that block, are read whole by every point (a constant projection).
 *
 * Example: `normalizedDims: 1` of `x [4, 16]` → index `[4]`, `x` read through `(i) ↦ (i, 0)`
 * with box `[1, 16]`, `weight [16]` through `(i) ↦ (0)` with box `[16]`.
 */
export const layerNormSignature: SignatureFn<LayerNormParams> = (inputs, params, issues, path) => {
  const x = requireInput(inputs, "x", "layer_norm", issues, path);
  if (x === undefined) return undefined;
  const affine = (["weight", "bias"] as const).flatMap((name) => {
    const t = inputs[name];
    return t === undefined ? [] : [[name, t] as [string, TensorType]];
  });
  const dtype = commonDtype([["x", x], ...affine], FLOAT_DTYPES, "layer_norm", issues, path);
  const rank = x.shape.length;
  const k = params.normalizedDims;
  if (k > rank) {
    issues.add(
      "invalid_param",
      paramPath(path, "normalizedDims"),
      `\`normalizedDims\` = ${k} exceeds the rank ${rank} of input x (shape ${formatShape(x.shape)})`,
      { param: "normalizedDims", found: k, rank },
    );
    return undefined;
  }
  const lead = rank - k;
  const trailing = x.shape.slice(lead);
  let ok = dtype !== undefined;
  for (const [name, t] of affine) {
    const why = `it scales the normalized trailing block ${formatShape(trailing)} of input x`;
    if (!checkRank(name, t, k, k, why, issues, path)) {
      ok = false;
      continue;
    }
    trailing.forEach((size, i) => {
      ok =
        checkDimEquals(
          name,
          t,
          i,
          `normalized dim ${i}`,
          size,
          `input x dimension ${lead + i}`,
          issues,
          path,
        ) && ok;
    });
  }
  if (dtype === undefined || !ok) return undefined;
  const rows = x.shape.map((_, d) => (d < lead ? unitRow(d, lead) : zeroRow(lead)));
  const box = x.shape.map((size, d) => (d < lead ? 1 : size));
  const block = IndexProjection.of(ZAffineMap.fromMatrix(rows, undefined, lead), box);
  const whole = IndexProjection.of(ZAffineMap.constant(ZPoint.zeros(k), lead), trailing);
  const operands: Record<string, OperandSignature> = {
    x: { shape: x.shape.slice(), dtype, projection: block },
  };
  for (const [name, t] of affine) operands[name] = { shape: t.shape.slice(), dtype, projection: whole };
  return {
    index: ZRange.fromShape(x.shape.slice(0, lead)),
    indexNames: x.shape.slice(0, lead).map((_, i) => `d${i}`),
    inputs: operands,
    outputs: { out: { shape: x.shape.slice(), dtype, projection: block } },
    reductions: [],
  };
};

/**
 * Layer normalization over the trailing `normalizedDims` dimensions:
 * `(x - mean) / sqrt(var + eps) · weight + bias`, with the biased variance, in float64.
 */
export const LAYER_NORM_KERNEL: KernelDef<LayerNormParams> = {
  id: "layer_norm",
  summary: "layer normalization over trailing dimensions with optional weight and bias",
  inputs: ["x", "weight", "bias"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) => {
    const r = ParamReader.open(raw, "layer_norm", ["normalizedDims", "eps"], issues, path);
    return r?.done({ normalizedDims: r.int("normalizedDims", 1, 1), eps: r.number("eps", 1e-5, 0) });
  },
  signature: layerNormSignature,
  impl: (ctx) => {
    const sig = ctx.signature;
    const xSig = sig.inputs.x!;
    const outSig = sig.outputs.out!;
    const x = ctx.inputs.x!;
    const weight =
      sig.inputs.weight === undefined ? undefined : { sig: sig.inputs.weight, region: ctx.inputs.weight! };
    const bias =
      sig.inputs.bias === undefined ? undefined : { sig: sig.inputs.bias, region: ctx.inputs.bias! };
    const lead = sig.index.rank;
    // The offsets of the trailing block relative to its origin, the same for every index point.
    const trailing: number[][] = [];
    forEachPoint(ZRange.fromShape(xSig.shape.slice(lead)), (t) => trailing.push(t.slice()));
    const outRange = outSig.projection.applyRange(ctx.index);
    const acc = new Float64Array(outRange.size);
    const values = new Float64Array(trailing.length);
    const xAt: number[] = [];
    const outAt: number[] = [];
    const wOrigin = weight && projectOrigin(weight.sig.projection, sig.index.start.coords);
    const bOrigin = bias && projectOrigin(bias.sig.projection, sig.index.start.coords);
    const at = (origin: readonly number[], t: readonly number[], skip: number) =>
      origin.map((o, d) => o + (d < skip ? 0 : t[d - skip]!));
    forEachPoint(ctx.index, (p) => {
      projectOrigin(xSig.projection, p, xAt);
      let mean = 0;
      trailing.forEach((t, j) => {
        values[j] = readOrZero(x, at(xAt, t, lead));
        mean += values[j]!;
      });
      mean /= trailing.length;
      let variance = 0;
      for (const v of values) variance += (v - mean) * (v - mean);
      variance /= trailing.length;
      const scale = 1 / Math.sqrt(variance + ctx.params.eps);
      projectOrigin(outSig.projection, p, outAt);
      trailing.forEach((t, j) => {
        let y = (values[j]! - mean) * scale;
        if (weight && wOrigin) y *= readOrZero(weight.region, at(wOrigin, t, 0));
        if (bias && bOrigin) y += readOrZero(bias.region, at(bOrigin, t, 0));
        acc[offsetIn(outRange, at(outAt, t, lead))] = y;
      });
    });
    return { out: regionFromAccumulator(outSig.dtype, outRange, acc) };
  },
};

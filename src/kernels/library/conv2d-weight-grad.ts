import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { runPointwise } from "../numeric/pointwise.js";
import {
  CONV2D_DY,
  CONV2D_X,
  type Conv2dGradParams,
  checkGradientExtents,
  checkGroups,
  decodeConv2dGradParams,
} from "./conv2d-geometry.js";
import { checkDimEquals, floatInputPair } from "./operands.js";

/** Params of conv2d_weight_grad: the forward conv2d's geometry and its filters' `[KH, KW]`. */
export type Conv2dWeightGradParams = Conv2dGradParams<"kernelSize">;

const INDEX_NAMES = ["g", "ocg", "icg", "kh", "kw", "n", "oh", "ow"] as const;

/**
 * The conv2d_weight_grad signature: `x [N, C, H, W]`, `dy [N, OC, OH, OW]` →
 * `out [OC, C/groups, KH, KW]` with `[KH, KW] = kernelSize`. The index space is
 * `[g, ocg, icg, kh, kw, n, oh, ow]` with `n`, `oh`, `ow` sum reductions; every projection is
 * one element per point (x at `(n, g·Cg + icg, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw)`, reading
 * zero in the padding), so the body is a pointwise product and any dimension can be cut.
 */
export const conv2dWeightGradSignature: SignatureFn<Conv2dWeightGradParams> = (
  inputs,
  params,
  issues,
  path,
) => {
  const pair = floatInputPair(inputs, CONV2D_X, CONV2D_DY, "conv2d_weight_grad", issues, path);
  if (pair === undefined) return undefined;
  const { a: x, b: dy, dtype } = pair;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, OC, OH, OW] = dy.shape as [number, number, number, number];
  const G = params.groups;
  const [KH, KW] = params.kernelSize;
  const ok =
    checkGroups("x", x, 1, G, issues, path) &&
    checkGroups("dy", dy, 1, G, issues, path) &&
    checkDimEquals("dy", dy, 0, "batch", N, "input x dimension 0", issues, path) &&
    checkGradientExtents(dy, [H, W], [KH, KW], params, issues, path);
  if (dtype === undefined || !ok) return undefined;
  const Cg = C / G;
  const OCg = OC / G;
  const [sh, sw] = params.stride;
  const [ph, pw] = params.padding;
  const [dh, dw] = params.dilation;
  const read = (rows: number[][], offset: number[]) =>
    IndexProjection.pointwise(ZAffineMap.fromMatrix(rows, offset, 8));
  //  g    ocg icg kh  kw  n  oh  ow
  const x_ = read(
    [
      [0, 0, 0, 0, 0, 1, 0, 0],
      [Cg, 0, 1, 0, 0, 0, 0, 0],
      [0, 0, 0, dh, 0, 0, sh, 0],
      [0, 0, 0, 0, dw, 0, 0, sw],
    ],
    [0, 0, 0 - ph, 0 - pw],
  );
  const dy_ = read(
    [
      [0, 0, 0, 0, 0, 1, 0, 0],
      [OCg, 1, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 0, 1],
    ],
    [0, 0, 0, 0],
  );
  const out = read(
    [
      [OCg, 1, 0, 0, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 0, 0, 0],
      [0, 0, 0, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 0, 0, 0],
    ],
    [0, 0, 0, 0],
  );
  return {
    index: ZRange.fromShape([G, OCg, Cg, KH, KW, N, OH, OW]),
    indexNames: INDEX_NAMES,
    inputs: {
      x: { shape: x.shape.slice(), dtype, projection: x_ },
      dy: { shape: dy.shape.slice(), dtype, projection: dy_ },
    },
    outputs: { out: { shape: [OC, Cg, KH, KW], dtype, projection: out } },
    reductions: [5, 6, 7].map((dim) => ({ dim, monoid: "sum" as const })),
  };
};

/** The gradient of conv2d with respect to its filters: `dw[o, c, kh, kw] = Σ dy[n, o, i, j] · x[n, c, i·sh − ph + kh·dh, j·sw − pw + kw·dw]`. */
export const CONV2D_WEIGHT_GRAD_KERNEL: KernelDef<Conv2dWeightGradParams> = {
  id: "conv2d_weight_grad",
  summary: "gradient of conv2d with respect to its filters w",
  inputs: ["x", "dy"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) =>
    decodeConv2dGradParams("conv2d_weight_grad", "kernelSize", raw, issues, path),
  signature: conv2dWeightGradSignature,
  impl: (ctx) => ({
    out: runPointwise(ctx, { inputs: ["x", "dy"], output: "out", compute: (v) => v[0]! * v[1]! }),
  }),
};

import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { forEachPoint } from "../numeric/index-walk.js";
import { outputRange } from "../numeric/output-range.js";
import { offsetIn, projectOrigin, readOrZero, regionFromAccumulator } from "../numeric/region-access.js";
import {
  CONV2D_DY,
  CONV2D_W,
  type Conv2dGradParams,
  checkGradientExtents,
  checkGroups,
  decodeConv2dGradParams,
} from "./conv2d-geometry.js";
import { checkDimEquals, floatInputPair } from "./operands.js";

/** Params of conv2d_input_grad: the forward conv2d's geometry and its input's `[H, W]`. */
export type Conv2dInputGradParams = Conv2dGradParams<"inputSize">;

const INDEX_NAMES = ["n", "g", "icg", "h", "w", "ocg"] as const;

/**
 * The conv2d_input_grad signature: `dy [N, OC, OH, OW]`, `w [OC, C/groups, KH, KW]` →
 * `out [N, C, H, W]` with `[H, W] = inputSize`. The index space is `[n, g, icg, h, w, ocg]` with
 * `ocg` (output channels of the group) a sum reduction. Along a spatial dimension with stride 1
 * an input position reads the window of dy it contributed to, `[h + p − d·(K − 1), h + p]`
 * (a halo like the forward's); with a larger stride that window is not an affine box, so each
 * point reads the whole extent of dy there (correct, at the price of more traffic when cut).
 */
export const conv2dInputGradSignature: SignatureFn<Conv2dInputGradParams> = (
  inputs,
  params,
  issues,
  path,
) => {
  const pair = floatInputPair(inputs, CONV2D_DY, CONV2D_W, "conv2d_input_grad", issues, path);
  if (pair === undefined) return undefined;
  const { a: dy, b: w, dtype } = pair;
  const [N, OC, OH, OW] = dy.shape as [number, number, number, number];
  const [, Cg, KH, KW] = w.shape as [number, number, number, number];
  const G = params.groups;
  const [H, W] = params.inputSize;
  const ok =
    checkGroups("w", w, 0, G, issues, path) &&
    checkDimEquals("dy", dy, 1, "output channels", w.shape[0]!, "input w dimension 0", issues, path) &&
    checkGradientExtents(dy, [H, W], [KH, KW], params, issues, path);
  if (dtype === undefined || !ok) return undefined;
  const OCg = OC / G;
  const [sh, sw] = params.stride;
  const [ph, pw] = params.padding;
  const [dh, dw] = params.dilation;
  const windowH = sh === 1 ? dh * (KH - 1) + 1 : OH;
  const windowW = sw === 1 ? dw * (KW - 1) + 1 : OW;
  //                      n  g    icg h              w              ocg
  const dyMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0, 0, 0],
      [0, OCg, 0, 0, 0, 1],
      [0, 0, 0, sh === 1 ? 1 : 0, 0, 0],
      [0, 0, 0, 0, sw === 1 ? 1 : 0, 0],
    ],
    [0, 0, sh === 1 ? ph - dh * (KH - 1) : 0, sw === 1 ? pw - dw * (KW - 1) : 0],
  );
  const wMap = ZAffineMap.fromMatrix(
    [
      [0, OCg, 0, 0, 0, 1],
      [0, 0, 1, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ],
    [0, 0, 0, 0],
  );
  const outMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0, 0, 0],
      [0, Cg, 1, 0, 0, 0],
      [0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 1, 0],
    ],
    [0, 0, 0, 0],
  );
  return {
    index: ZRange.fromShape([N, G, Cg, H, W, OCg]),
    indexNames: INDEX_NAMES,
    inputs: {
      dy: { shape: dy.shape.slice(), dtype, projection: IndexProjection.of(dyMap, [1, 1, windowH, windowW]) },
      w: { shape: w.shape.slice(), dtype, projection: IndexProjection.of(wMap, [1, 1, KH, KW]) },
    },
    outputs: { out: { shape: [N, G * Cg, H, W], dtype, projection: IndexProjection.pointwise(outMap) } },
    reductions: [{ dim: 5, monoid: "sum" }],
  };
};

/**
 * The gradient of conv2d with respect to its input (a transposed convolution):
 * `dx[n, c, h, w] = Σ dy[n, o, i, j] · w[o, c, kh, kw]` over the output positions `(i, j)` and
 * taps `(kh, kw)` with `i·sh − ph + kh·dh = h` and `j·sw − pw + kw·dw = w`.
 */
export const CONV2D_INPUT_GRAD_KERNEL: KernelDef<Conv2dInputGradParams> = {
  id: "conv2d_input_grad",
  summary: "gradient of conv2d with respect to its input x (a transposed convolution)",
  inputs: ["dy", "w"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) =>
    decodeConv2dGradParams("conv2d_input_grad", "inputSize", raw, issues, path),
  signature: conv2dInputGradSignature,
  impl: (ctx) => {
    const sig = ctx.signature;
    const dySig = sig.inputs.dy!;
    const wSig = sig.inputs.w!;
    const outSig = sig.outputs.out!;
    const dy = ctx.inputs.dy!;
    const w = ctx.inputs.w!;
    const [, , KH, KW] = wSig.shape as [number, number, number, number];
    const [, , OH, OW] = dySig.shape as [number, number, number, number];
    const [sh, sw] = ctx.params.stride;
    const [ph, pw] = ctx.params.padding;
    const [dh, dw] = ctx.params.dilation;
    const outRange = outputRange(outSig.projection, ctx.index, sig.reductions);
    const acc = new Float64Array(outRange.size);
    const yo: number[] = [];
    const wo: number[] = [];
    const oo: number[] = [];
    const yAt = [0, 0, 0, 0];
    const wAt = [0, 0, 0, 0];
    forEachPoint(ctx.index, (p) => {
      projectOrigin(dySig.projection, p, yo);
      projectOrigin(wSig.projection, p, wo);
      projectOrigin(outSig.projection, p, oo);
      yAt[0] = yo[0]!;
      yAt[1] = yo[1]!;
      wAt[0] = wo[0]!;
      wAt[1] = wo[1]!;
      const h = p[3]!;
      const x = p[4]!;
      let s = 0;
      for (let kh = 0; kh < KH; kh++) {
        const ih = h + ph - kh * dh;
        if (ih < 0 || ih % sh !== 0 || ih / sh >= OH) continue;
        // The window's origin is output row `h + ph − dh·(KH − 1)` at stride 1, row 0 otherwise.
        yAt[2] = yo[2]! + (sh === 1 ? dh * (KH - 1 - kh) : ih / sh);
        wAt[2] = wo[2]! + kh;
        for (let kw = 0; kw < KW; kw++) {
          const iw = x + pw - kw * dw;
          if (iw < 0 || iw % sw !== 0 || iw / sw >= OW) continue;
          yAt[3] = yo[3]! + (sw === 1 ? dw * (KW - 1 - kw) : iw / sw);
          wAt[3] = wo[3]! + kw;
          s += readOrZero(dy, yAt) * readOrZero(w, wAt);
        }
      }
      acc[offsetIn(outRange, oo)]! += s;
    });
    return { out: regionFromAccumulator(outSig.dtype, outRange, acc) };
  },
};

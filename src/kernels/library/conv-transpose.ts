import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { forEachPoint } from "../numeric/index-walk.js";
import { outputRange } from "../numeric/output-range.js";
import { offsetIn, projectOrigin, regionFromAccumulator } from "../numeric/region-access.js";
import { checkDimEquals, floatInputPair, paramPath } from "./operands.js";
import { ParamReader } from "./param-reader.js";

/** Params of conv_transpose2d: the stride `[height, width]`, which must equal the filter's size. */
export interface ConvTranspose2dParams {
  readonly stride: readonly [number, number];
}

/**
 * The conv_transpose2d signature (NCHW, no bias) for non-overlapping windows — stride equal to
 * the filter size, as upsampling heads use it: `x [N, IC, H, W]`, `w [IC, OC, KH, KW]` →
 * `out [N, OC, H·KH, W·KW]`. The index space is `[n, oc, ih, iw, ic]` with `ic` a sum
 * reduction: point `(n, o, i, j, c)` reads `x (n, c, i, j)` and the filter box
 * `[1, 1, KH, KW]` at `(c, o, 0, 0)`, and adds into the block `[1, 1, KH, KW]` of `out` at
 * `(n, o, i·KH, j·KW)`. Blocks of distinct `(n, o, i, j)` do not overlap, which is what makes the
 * output projection injective (an overlapping transposed convolution is not expressible so).
 */
export const convTranspose2dSignature: SignatureFn<ConvTranspose2dParams> = (
  inputs,
  params,
  issues,
  path,
) => {
  const xIn = { name: "x", rank: 4, why: "conv_transpose2d takes NCHW input" };
  const wIn = { name: "w", rank: 4, why: "conv_transpose2d takes filters [IC, OC, KH, KW]" };
  const pair = floatInputPair(inputs, xIn, wIn, "conv_transpose2d", issues, path);
  if (pair?.dtype === undefined) return undefined;
  const { a: x, b: w, dtype } = pair;
  const [N, IC, H, W] = x.shape as [number, number, number, number];
  const [, OC, KH, KW] = w.shape as [number, number, number, number];
  if (!checkDimEquals("w", w, 0, "input channels", IC, `input x dimension 1 = ${IC}`, issues, path))
    return undefined;
  const [sh, sw] = params.stride;
  if (sh !== KH || sw !== KW) {
    issues.add(
      "invalid_param",
      paramPath(path, "stride"),
      `\`stride\` [${sh}, ${sw}] must equal the filter size [${KH}, ${KW}]: only non-overlapping windows are supported`,
      { param: "stride", expected: [KH, KW], found: [sh, sw] },
    );
    return undefined;
  }
  //                                 n  oc ih iw ic
  const xMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 1, 0, 0],
      [0, 0, 0, 1, 0],
    ],
    [0, 0, 0, 0],
  );
  const wMap = ZAffineMap.fromMatrix(
    [
      [0, 0, 0, 0, 1],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ],
    [0, 0, 0, 0],
  );
  const outMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, KH, 0, 0],
      [0, 0, 0, KW, 0],
    ],
    [0, 0, 0, 0],
  );
  return {
    index: ZRange.fromShape([N, OC, H, W, IC]),
    indexNames: ["n", "oc", "ih", "iw", "ic"],
    inputs: {
      x: { shape: x.shape.slice(), dtype, projection: IndexProjection.pointwise(xMap) },
      w: { shape: w.shape.slice(), dtype, projection: IndexProjection.of(wMap, [1, 1, KH, KW]) },
    },
    outputs: {
      out: { shape: [N, OC, H * KH, W * KW], dtype, projection: IndexProjection.of(outMap, [1, 1, KH, KW]) },
    },
    reductions: [{ dim: 4, monoid: "sum" }],
  };
};

/**
 * Transposed 2-D convolution with stride equal to the filter size: each input pixel, times the
 * filter, becomes one output block. Over a sub-range of `ic` it writes the partial sum.
 */
export const CONV_TRANSPOSE2D_KERNEL: KernelDef<ConvTranspose2dParams> = {
  id: "conv_transpose2d",
  summary: "transposed 2-D convolution, NCHW, stride equal to the filter size (no bias)",
  inputs: ["x", "w"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) => {
    const r = ParamReader.open(raw, "conv_transpose2d", ["stride"], issues, path);
    if (r === undefined) return undefined;
    if (!r.has("stride"))
      r.fail("stride", "conv_transpose2d needs `stride` (equal to the filter's [height, width])");
    return r.done({ stride: r.pair("stride", [1, 1], 1) });
  },
  signature: convTranspose2dSignature,
  impl: (ctx) => {
    const sig = ctx.signature;
    const outSig = sig.outputs.out!;
    const x = ctx.inputs.x!;
    const w = ctx.inputs.w!;
    const [KH, KW] = ctx.params.stride;
    const range = outputRange(outSig.projection, ctx.index, sig.reductions);
    const acc = new Float64Array(range.size);
    const xo: number[] = [];
    const wo: number[] = [];
    const oo: number[] = [];
    const wAt = [0, 0, 0, 0];
    const oAt = [0, 0, 0, 0];
    forEachPoint(ctx.index, (p) => {
      projectOrigin(sig.inputs.x!.projection, p, xo);
      projectOrigin(sig.inputs.w!.projection, p, wo);
      projectOrigin(outSig.projection, p, oo);
      const v = x.data[offsetIn(x.range, xo)]!;
      wAt[0] = wo[0]!;
      wAt[1] = wo[1]!;
      oAt[0] = oo[0]!;
      oAt[1] = oo[1]!;
      for (let a = 0; a < KH; a++) {
        wAt[2] = wo[2]! + a;
        oAt[2] = oo[2]! + a;
        for (let b = 0; b < KW; b++) {
          wAt[3] = wo[3]! + b;
          oAt[3] = oo[3]! + b;
          acc[offsetIn(range, oAt)]! += v * w.data[offsetIn(w.range, wAt)]!;
        }
      }
    });
    return { out: regionFromAccumulator(outSig.dtype, range, acc) };
  },
};

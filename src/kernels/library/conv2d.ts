import type { IssueCollector } from "../../base/issue.js";
import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { forEachPoint } from "../numeric/index-walk.js";
import { outputRange } from "../numeric/output-range.js";
import { offsetIn, projectOrigin, readOrZero, regionFromAccumulator } from "../numeric/region-access.js";
import type { TensorType } from "../signature.js";
import { CONV2D_W, CONV2D_X, type Conv2dParams, checkGroups, readConv2dGeometry } from "./conv2d-geometry.js";
import { checkDimEquals, floatInputPair, inputPath } from "./operands.js";
import { ParamReader } from "./param-reader.js";

const INDEX_NAMES = ["n", "g", "ocg", "oh", "ow", "icg"] as const;

/**
 * The conv2d signature (NCHW, no bias): `x [N, C, H, W]`, `w [OC, C/groups, KH, KW]` →
 * `out [N, OC, OH, OW]`, `OH = ⌊(H + 2·ph − dh·(KH − 1) − 1) / sh⌋ + 1`. The index space is
 * `[n, g, ocg, oh, ow, icg]` (group, output channel within it, output position, input channel
 * within the group) with `icg` a sum reduction. Index point `(n, g, o, i, j, c)` reads the
 * receptive field of x at `(n, g·Cg + c, i·sh − ph, j·sw − pw)`, a box of shape
 * `[1, 1, dh·(KH − 1) + 1, dw·(KW − 1) + 1]` (boxes of neighbours overlap: halos), and the filter
 * box `[1, 1, KH, KW]` at `(g·OCg + o, c, 0, 0)`; it writes `out (n, g·OCg + o, i, j)`. Rows and
 * columns of the field outside x are the zero padding.
 */
export const conv2dSignature: SignatureFn<Conv2dParams> = (inputs, params, issues, path) => {
  const pair = floatInputPair(inputs, CONV2D_X, CONV2D_W, "conv2d", issues, path);
  if (pair === undefined) return undefined;
  const { a: x, b: w, dtype } = pair;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [OC, , KH, KW] = w.shape as [number, number, number, number];
  const { groups: G, stride, padding, dilation } = params;
  const cOk = checkGroups("x", x, 1, G, issues, path, "input channels");
  const ocOk = checkGroups("w", w, 0, G, issues, path, "output channels");
  const Cg = C / G;
  const OCg = OC / G;
  const perGroup = `input x dimension 1 / groups = ${C} / ${G}`;
  const filtersOk = cOk && checkDimEquals("w", w, 1, "input channels per group", Cg, perGroup, issues, path);
  const ok = dtype !== undefined && cOk && ocOk && filtersOk;
  const OH = outputExtent("height", 2, H, KH, stride[0], padding[0], dilation[0], x, w, issues, path);
  const OW = outputExtent("width", 3, W, KW, stride[1], padding[1], dilation[1], x, w, issues, path);
  if (dtype === undefined || !ok || OH === undefined || OW === undefined) return undefined;

  const [sh, sw] = stride;
  const [ph, pw] = padding;
  const [dh, dw] = dilation;
  //                     n  g    ocg oh  ow  icg
  const xMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0, 0, 0],
      [0, Cg, 0, 0, 0, 1],
      [0, 0, 0, sh, 0, 0],
      [0, 0, 0, 0, sw, 0],
    ],
    // `0 - p`, not `-p`: a negated zero would make -0 offsets that compare unequal to 0.
    [0, 0, 0 - ph, 0 - pw],
  );
  const wMap = ZAffineMap.fromMatrix(
    [
      [0, OCg, 1, 0, 0, 0],
      [0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ],
    [0, 0, 0, 0],
  );
  const outMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0, 0, 0],
      [0, OCg, 1, 0, 0, 0],
      [0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 1, 0],
    ],
    [0, 0, 0, 0],
  );
  return {
    index: ZRange.fromShape([N, G, OCg, OH, OW, Cg]),
    indexNames: INDEX_NAMES,
    inputs: {
      x: {
        shape: x.shape.slice(),
        dtype,
        projection: IndexProjection.of(xMap, [1, 1, dh * (KH - 1) + 1, dw * (KW - 1) + 1]),
      },
      w: { shape: w.shape.slice(), dtype, projection: IndexProjection.of(wMap, [1, 1, KH, KW]) },
    },
    outputs: { out: { shape: [N, OC, OH, OW], dtype, projection: IndexProjection.pointwise(outMap) } },
    reductions: [{ dim: 5, monoid: "sum" }],
  };
};

/** The output extent along one spatial dimension, recording why there is no valid position. */
function outputExtent(
  what: "height" | "width",
  dim: 2 | 3,
  size: number,
  taps: number,
  stride: number,
  pad: number,
  dilation: number,
  x: TensorType,
  w: TensorType,
  issues: IssueCollector,
  path: string,
): number | undefined {
  if (taps < 1) {
    issues.add(
      "shape_mismatch",
      inputPath(path, "w"),
      `input w dimension ${dim} (kernel ${what}) must be at least 1, found ${taps}`,
      {
        input: "w",
        dim,
        expected: 1,
        found: taps,
      },
    );
    return undefined;
  }
  const field = dilation * (taps - 1) + 1;
  const padded = size + 2 * pad;
  if (field > padded) {
    issues.add(
      "shape_mismatch",
      inputPath(path, "x"),
      `input x dimension ${dim} (${what}) = ${size} plus padding 2·${pad} is ${padded}, smaller than the dilated kernel ${what} ${dilation}·(${taps} − 1) + 1 = ${field} of input w dimension ${dim}`,
      {
        input: "x",
        dim,
        expected: field,
        found: padded,
        kernel: w.shape[dim] ?? null,
        size: x.shape[dim] ?? null,
      },
    );
    return undefined;
  }
  return Math.floor((padded - field) / stride) + 1;
}

/** Decodes `{stride?, padding?, dilation?, groups?}`; a pair param also accepts one integer for both. */
function decodeConv2dParams(raw: unknown, issues: IssueCollector, path: string): Conv2dParams | undefined {
  const r = ParamReader.open(raw, "conv2d", ["stride", "padding", "dilation", "groups"], issues, path);
  if (r === undefined) return undefined;
  return r.done(readConv2dGeometry(r));
}

/**
 * 2-D convolution (cross-correlation, as in deep-learning libraries) of NCHW `x` with filters
 * `w`, honouring stride, padding, dilation and groups. Over a sub-range of `icg` it writes the
 * partial sum of those input channels; reads outside x are zero.
 */
export const CONV2D_KERNEL: KernelDef<Conv2dParams> = {
  id: "conv2d",
  summary: "2-D convolution, NCHW, with stride, padding, dilation and groups (no bias)",
  inputs: ["x", "w"],
  outputs: ["out"],
  decodeParams: decodeConv2dParams,
  signature: conv2dSignature,
  impl: (ctx) => {
    const sig = ctx.signature;
    const xSig = sig.inputs.x!;
    const wSig = sig.inputs.w!;
    const outSig = sig.outputs.out!;
    const x = ctx.inputs.x!;
    const w = ctx.inputs.w!;
    const [, , KH, KW] = wSig.projection.shape.coords as [number, number, number, number];
    const [dh, dw] = ctx.params.dilation;
    const outRange = outputRange(outSig.projection, ctx.index, sig.reductions);
    const acc = new Float64Array(outRange.size);
    const xo: number[] = [];
    const wo: number[] = [];
    const oo: number[] = [];
    const xAt = [0, 0, 0, 0];
    const wAt = [0, 0, 0, 0];
    forEachPoint(ctx.index, (p) => {
      projectOrigin(xSig.projection, p, xo);
      projectOrigin(wSig.projection, p, wo);
      projectOrigin(outSig.projection, p, oo);
      xAt[0] = xo[0]!;
      xAt[1] = xo[1]!;
      wAt[0] = wo[0]!;
      wAt[1] = wo[1]!;
      let s = 0;
      for (let kh = 0; kh < KH; kh++) {
        xAt[2] = xo[2]! + kh * dh;
        wAt[2] = wo[2]! + kh;
        for (let kw = 0; kw < KW; kw++) {
          xAt[3] = xo[3]! + kw * dw;
          wAt[3] = wo[3]! + kw;
          s += readOrZero(x, xAt) * readOrZero(w, wAt);
        }
      }
      acc[offsetIn(outRange, oo)]! += s;
    });
    return { out: regionFromAccumulator(outSig.dtype, outRange, acc) };
  },
};

import type { IssueCollector } from "../../base/issue.js";
import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { forEachPoint } from "../numeric/index-walk.js";
import { outputRange } from "../numeric/output-range.js";
import { offsetIn, projectOrigin, regionFromAccumulator } from "../numeric/region-access.js";
import { checkRank, commonDtype, FLOAT_DTYPES, inputPath, requireInput } from "./operands.js";
import { ParamReader } from "./param-reader.js";

/** Params of max_pool2d; each pair is `[height, width]`. */
export interface MaxPool2dParams {
  /** The window's taps; required. */
  readonly kernel: readonly [number, number];
  /** Step between output positions; default [1, 1]. */
  readonly stride: readonly [number, number];
  /** Positions added on each side of the input that never win the maximum; default [0, 0]. */
  readonly padding: readonly [number, number];
  /** Spacing between window taps; default [1, 1]. */
  readonly dilation: readonly [number, number];
}

/**
 * The max_pool2d signature (NCHW): `x [N, C, H, W]` → `out [N, C, OH, OW]` with
 * `OH = ⌊(H + 2·ph − dh·(KH − 1) − 1) / sh⌋ + 1`, as conv2d's. The index space is the output's
 * `[n, c, oh, ow]` with no reduction dimension: each point reads its whole window, the box
 * `[1, 1, dh·(KH − 1) + 1, dw·(KW − 1) + 1]` of x at `(n, c, oh·sh − ph, ow·sw − pw)` (boxes of
 * neighbouring points overlap: halos, as conv2d's). Rows and columns of a window outside x are
 * the padding, which never wins (−∞).
 */
export const maxPool2dSignature: SignatureFn<MaxPool2dParams> = (inputs, params, issues, path) => {
  const x = requireInput(inputs, "x", "max_pool2d", issues, path);
  if (x === undefined) return undefined;
  const dtype = commonDtype([["x", x]], FLOAT_DTYPES, "max_pool2d", issues, path);
  if (!checkRank("x", x, 4, 4, "max_pool2d takes NCHW input", issues, path) || dtype === undefined)
    return undefined;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const { kernel, stride, padding, dilation } = params;
  const fields = [0, 1].map((i) => dilation[i]! * (kernel[i]! - 1) + 1);
  const extents = [H, W].map((size, i) => {
    const padded = size + 2 * padding[i]!;
    if (fields[i]! > padded) {
      issues.add(
        "shape_mismatch",
        inputPath(path, "x"),
        `input x dimension ${i + 2} = ${size} plus padding 2·${padding[i]} is ${padded}, smaller than the dilated window ${fields[i]}`,
        { input: "x", dim: i + 2, expected: fields[i]!, found: padded },
      );
      return undefined;
    }
    return Math.floor((padded - fields[i]!) / stride[i]!) + 1;
  });
  const [OH, OW] = extents;
  if (OH === undefined || OW === undefined) return undefined;
  const xMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, stride[0], 0],
      [0, 0, 0, stride[1]],
    ],
    // `0 - p`, not `-p`: a negated zero would make -0 offsets that compare unequal to 0.
    [0, 0, 0 - padding[0], 0 - padding[1]],
  );
  return {
    index: ZRange.fromShape([N, C, OH, OW]),
    indexNames: ["n", "c", "oh", "ow"],
    inputs: {
      x: {
        shape: x.shape.slice(),
        dtype,
        projection: IndexProjection.of(xMap, [1, 1, fields[0]!, fields[1]!]),
      },
    },
    outputs: { out: { shape: [N, C, OH, OW], dtype, projection: IndexProjection.identity(4) } },
    reductions: [],
  };
};

/** Decodes max_pool2d's params `{kernel, stride?, padding?, dilation?}` (also max_pool2d_grad's), reporting under `kernelId`. */
export function decodeMaxPool2dParams(
  kernelId: string,
  raw: unknown,
  issues: IssueCollector,
  path: string,
): MaxPool2dParams | undefined {
  const r = ParamReader.open(raw, kernelId, ["kernel", "stride", "padding", "dilation"], issues, path);
  if (r === undefined) return undefined;
  const kernel = r.has("kernel") ? r.pair("kernel", [1, 1], 1) : undefined;
  if (kernel === undefined) r.fail("kernel", `${kernelId} needs \`kernel\` (the window's [height, width])`);
  return r.done({
    kernel: kernel ?? [1, 1],
    stride: r.pair("stride", [1, 1], 1),
    padding: r.pair("padding", [0, 0], 0),
    dilation: r.pair("dilation", [1, 1], 1),
  });
}

/**
 * 2-D max pooling of NCHW `x` with stride, padding and dilation: each output is the largest
 * value in its window (NaN wins, as in numpy's `max`); window positions outside x are skipped.
 */
export const MAX_POOL2D_KERNEL: KernelDef<MaxPool2dParams> = {
  id: "max_pool2d",
  summary: "2-D max pooling, NCHW, with stride, padding and dilation",
  inputs: ["x"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) => decodeMaxPool2dParams("max_pool2d", raw, issues, path),
  signature: maxPool2dSignature,
  impl: (ctx) => {
    const sig = ctx.signature;
    const xSig = sig.inputs.x!;
    const outSig = sig.outputs.out!;
    const x = ctx.inputs.x!;
    const [KH, KW] = ctx.params.kernel;
    const [dh, dw] = ctx.params.dilation;
    const outRange = outputRange(outSig.projection, ctx.index, sig.reductions);
    const acc = new Float64Array(outRange.size);
    const xo: number[] = [];
    const oo: number[] = [];
    const at = [0, 0, 0, 0];
    forEachPoint(ctx.index, (p) => {
      projectOrigin(xSig.projection, p, xo);
      projectOrigin(outSig.projection, p, oo);
      at[0] = xo[0]!;
      at[1] = xo[1]!;
      let m = Number.NEGATIVE_INFINITY;
      for (let kh = 0; kh < KH; kh++) {
        at[2] = xo[2]! + kh * dh;
        for (let kw = 0; kw < KW; kw++) {
          at[3] = xo[3]! + kw * dw;
          const off = offsetIn(x.range, at);
          if (off < 0) continue;
          const v = x.data[off]!;
          if (v > m || Number.isNaN(v)) m = v;
          if (Number.isNaN(m)) break;
        }
      }
      acc[offsetIn(outRange, oo)] = m;
    });
    return { out: regionFromAccumulator(outSig.dtype, outRange, acc) };
  },
};

import { allocate } from "../../base/dtype.js";
import type { IssueCollector } from "../../base/issue.js";
import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { forEachPoint } from "../numeric/index-walk.js";
import { outputRange } from "../numeric/output-range.js";
import { offsetIn, projectOrigin } from "../numeric/region-access.js";
import { checkRank, commonDtype, FLOAT_DTYPES, requireInput } from "./operands.js";
import { ParamReader } from "./param-reader.js";

/** Params of upsample_nearest2d: the integer factor per spatial dimension, `[height, width]`. */
export interface UpsampleNearest2dParams {
  readonly scale: readonly [number, number];
}

/**
 * The upsample_nearest2d signature (NCHW): `x [N, C, H, W]` → `out [N, C, H·sh, W·sw]`, every
 * input pixel repeated into an `sh × sw` block (ONNX Resize, nearest, integer scales,
 * asymmetric coordinates). The index space is the *input's* `[n, c, h, w]`: point
 * `(n, c, i, j)` reads `x (n, c, i, j)` and writes the block `[1, 1, sh, sw]` of `out` at
 * `(n, c, i·sh, j·sw)` — blocks of distinct points do not overlap, so the output projection is
 * injective and every box of the index space is a shard.
 */
export const upsampleNearest2dSignature: SignatureFn<UpsampleNearest2dParams> = (
  inputs,
  params,
  issues,
  path,
) => {
  const x = requireInput(inputs, "x", "upsample_nearest2d", issues, path);
  if (x === undefined) return undefined;
  const dtype = commonDtype([["x", x]], FLOAT_DTYPES, "upsample_nearest2d", issues, path);
  if (!checkRank("x", x, 4, 4, "upsample_nearest2d takes NCHW input", issues, path) || dtype === undefined)
    return undefined;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [sh, sw] = params.scale;
  const outMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, sh, 0],
      [0, 0, 0, sw],
    ],
    [0, 0, 0, 0],
  );
  return {
    index: ZRange.fromShape([N, C, H, W]),
    indexNames: ["n", "c", "h", "w"],
    inputs: { x: { shape: x.shape.slice(), dtype, projection: IndexProjection.identity(4) } },
    outputs: {
      out: { shape: [N, C, H * sh, W * sw], dtype, projection: IndexProjection.of(outMap, [1, 1, sh, sw]) },
    },
    reductions: [],
  };
};

function decodeParams(
  raw: unknown,
  issues: IssueCollector,
  path: string,
): UpsampleNearest2dParams | undefined {
  const r = ParamReader.open(raw, "upsample_nearest2d", ["scale"], issues, path);
  if (r === undefined) return undefined;
  if (!r.has("scale"))
    r.fail("scale", "upsample_nearest2d needs `scale` (the integer factors [height, width])");
  return r.done({ scale: r.pair("scale", [1, 1], 1) });
}

/** Nearest-neighbour upsampling of NCHW `x` by integer factors: each pixel becomes a block. */
export const UPSAMPLE_NEAREST2D_KERNEL: KernelDef<UpsampleNearest2dParams> = {
  id: "upsample_nearest2d",
  summary: "nearest-neighbour 2-D upsampling by integer factors, NCHW",
  inputs: ["x"],
  outputs: ["out"],
  decodeParams,
  signature: upsampleNearest2dSignature,
  impl: (ctx) => {
    const sig = ctx.signature;
    const outSig = sig.outputs.out!;
    const x = ctx.inputs.x!;
    const [sh, sw] = ctx.params.scale;
    const range = outputRange(outSig.projection, ctx.index, sig.reductions);
    const data = allocate(outSig.dtype, range.size);
    const xo: number[] = [];
    const oo: number[] = [];
    const at = [0, 0, 0, 0];
    forEachPoint(ctx.index, (p) => {
      projectOrigin(sig.inputs.x!.projection, p, xo);
      projectOrigin(outSig.projection, p, oo);
      const v = x.data[offsetIn(x.range, xo)]!;
      at[0] = oo[0]!;
      at[1] = oo[1]!;
      for (let a = 0; a < sh; a++) {
        at[2] = oo[2]! + a;
        for (let b = 0; b < sw; b++) {
          at[3] = oo[3]! + b;
          data[offsetIn(range, at)] = v;
        }
      }
    });
    return { out: { dtype: outSig.dtype, range, data } };
  },
};

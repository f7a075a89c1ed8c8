import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { forEachPoint } from "../numeric/index-walk.js";
import { outputRange } from "../numeric/output-range.js";
import { offsetIn, projectOrigin, regionFromAccumulator } from "../numeric/region-access.js";
import { floatInputPair, formatShape, inputPath } from "./operands.js";
import { decodeMaxPool2dParams, type MaxPool2dParams, maxPool2dSignature } from "./pool.js";

/** Params of max_pool2d_grad: the forward max_pool2d's. */
export type MaxPool2dGradParams = MaxPool2dParams;

/**
 * The max_pool2d_grad signature: `x [N, C, H, W]` (the forward input) and `dy [N, C, OH, OW]`
 * (the forward output's cotangent) → `out [N, C, H, W]`. The index space is the input's
 * `[n, c, h, w]`, no reduction. Along a spatial dimension with stride 1, position `h` reads the
 * outputs whose windows cover it, `dy [h + p − d·(K − 1), h + p]`, and the union of those
 * windows, `x [h − d·(K − 1), h + d·(K − 1)]` (halos); with a larger stride those are not
 * affine boxes, so each point reads the whole extent there (as `conv2d_input_grad`).
 */
export const maxPool2dGradSignature: SignatureFn<MaxPool2dGradParams> = (inputs, params, issues, path) => {
  const xIn = { name: "x", rank: 4, why: "max_pool2d takes NCHW input" };
  const dyIn = { name: "dy", rank: 4, why: "it is the cotangent of an NCHW max_pool2d output" };
  const pair = floatInputPair(inputs, xIn, dyIn, "max_pool2d_grad", issues, path);
  if (pair?.dtype === undefined) return undefined;
  const { a: x, b: dy, dtype } = pair;
  const forward = maxPool2dSignature({ x }, params, issues, path);
  if (forward === undefined) return undefined;
  const expected = forward.outputs.out!.shape;
  if (expected.some((s, d) => s !== dy.shape[d])) {
    issues.add(
      "shape_mismatch",
      inputPath(path, "dy"),
      `input dy has shape ${formatShape(dy.shape)} but the forward max_pool2d of x ${formatShape(x.shape)} makes ${formatShape(expected)}`,
      { input: "dy", expected: expected.slice(), found: dy.shape.slice() },
    );
    return undefined;
  }
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, , OH, OW] = expected as [number, number, number, number];
  const spans = [0, 1].map((i) => params.dilation[i]! * (params.kernel[i]! - 1));
  const unit = [0, 1].map((i) => params.stride[i] === 1);
  const coef = (i: number) => (unit[i] ? 1 : 0);
  const dyMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, coef(0), 0],
      [0, 0, 0, coef(1)],
    ],
    [0, 0, unit[0] ? params.padding[0] - spans[0]! : 0, unit[1] ? params.padding[1] - spans[1]! : 0],
  );
  const xMap = ZAffineMap.fromMatrix(
    [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, coef(0), 0],
      [0, 0, 0, coef(1)],
    ],
    // `0 - s`, not `-s`: a negated zero would make -0 offsets that compare unequal to 0.
    [0, 0, unit[0] ? 0 - spans[0]! : 0, unit[1] ? 0 - spans[1]! : 0],
  );
  const dyBox = [1, 1, unit[0] ? spans[0]! + 1 : OH, unit[1] ? spans[1]! + 1 : OW];
  const xBox = [1, 1, unit[0] ? 2 * spans[0]! + 1 : H, unit[1] ? 2 * spans[1]! + 1 : W];
  return {
    index: ZRange.fromShape([N, C, H, W]),
    indexNames: ["n", "c", "h", "w"],
    inputs: {
      x: { shape: x.shape.slice(), dtype, projection: IndexProjection.of(xMap, xBox) },
      dy: { shape: dy.shape.slice(), dtype, projection: IndexProjection.of(dyMap, dyBox) },
    },
    outputs: { out: { shape: [N, C, H, W], dtype, projection: IndexProjection.identity(4) } },
    reductions: [],
  };
};

/** The output positions along one spatial dimension whose windows have a tap at input position `i`. */
function coveringOutputs(i: number, taps: number, stride: number, pad: number, dil: number, extent: number) {
  const found: number[] = [];
  for (let k = 0; k < taps; k++) {
    const num = i + pad - k * dil;
    if (num >= 0 && num % stride === 0 && num / stride < extent) found.push(num / stride);
  }
  return found;
}

/**
 * The gradient of max_pool2d with respect to its input: `dx[n, c, h, w]` is the sum of
 * `dy[n, c, oh, ow]` over the windows whose maximum sits at `(h, w)`. On a tie the first tap in
 * row-major window order holds the maximum (PyTorch's and ONNX MaxPool's index convention); a
 * NaN wins its window as in the forward; padding never does.
 */
export const MAX_POOL2D_GRAD_KERNEL: KernelDef<MaxPool2dGradParams> = {
  id: "max_pool2d_grad",
  summary: "gradient of max_pool2d with respect to its input: each window's dy to its maximum",
  inputs: ["x", "dy"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) => decodeMaxPool2dParams("max_pool2d_grad", raw, issues, path),
  signature: maxPool2dGradSignature,
  impl: (ctx) => {
    const sig = ctx.signature;
    const outSig = sig.outputs.out!;
    const x = ctx.inputs.x!;
    const dy = ctx.inputs.dy!;
    const { kernel, stride, padding, dilation } = ctx.params;
    const [, , OH, OW] = sig.inputs.dy!.shape as [number, number, number, number];
    const outRange = outputRange(outSig.projection, ctx.index, sig.reductions);
    const acc = new Float64Array(outRange.size);
    const spans = [0, 1].map((i) => dilation[i]! * (kernel[i]! - 1));
    const xo: number[] = [];
    const yo: number[] = [];
    const oo: number[] = [];
    const xShift = [0, 0, 0, 0];
    const at = [0, 0, 0, 0];
    const yAt = [0, 0, 0, 0];
    // Whether the maximum of window (oh, ow) sits at (h, w); coordinates are the tensors' own,
    // and `xShift` places them where x's region lies.
    const winsAt = (oh: number, ow: number, h: number, w: number): boolean => {
      let m = Number.NEGATIVE_INFINITY;
      let bh = -1;
      let bw = -1;
      for (let kh = 0; kh < kernel[0]; kh++) {
        const ih = oh * stride[0] - padding[0] + kh * dilation[0];
        at[2] = xShift[2]! + ih;
        for (let kw = 0; kw < kernel[1]; kw++) {
          const iw = ow * stride[1] - padding[1] + kw * dilation[1];
          at[3] = xShift[3]! + iw;
          const off = offsetIn(x.range, at);
          if (off < 0) continue;
          const v = x.data[off]!;
          if (v > m || (Number.isNaN(v) && !Number.isNaN(m))) {
            m = v;
            bh = ih;
            bw = iw;
          }
        }
      }
      return bh === h && bw === w;
    };
    forEachPoint(ctx.index, (p) => {
      projectOrigin(sig.inputs.x!.projection, p, xo);
      projectOrigin(sig.inputs.dy!.projection, p, yo);
      projectOrigin(outSig.projection, p, oo);
      const h = p[2]!;
      const w = p[3]!;
      // The boxes' origins minus where they start relative to the point: the operands' own origins.
      xShift[2] = xo[2]! - (stride[0] === 1 ? h - spans[0]! : 0);
      xShift[3] = xo[3]! - (stride[1] === 1 ? w - spans[1]! : 0);
      const yShift2 = yo[2]! - (stride[0] === 1 ? h + padding[0] - spans[0]! : 0);
      const yShift3 = yo[3]! - (stride[1] === 1 ? w + padding[1] - spans[1]! : 0);
      at[0] = xo[0]!;
      at[1] = xo[1]!;
      yAt[0] = yo[0]!;
      yAt[1] = yo[1]!;
      let sum = 0;
      for (const oh of coveringOutputs(h, kernel[0], stride[0], padding[0], dilation[0], OH)) {
        for (const ow of coveringOutputs(w, kernel[1], stride[1], padding[1], dilation[1], OW)) {
          if (!winsAt(oh, ow, h, w)) continue;
          yAt[2] = yShift2 + oh;
          yAt[3] = yShift3 + ow;
          sum += dy.data[offsetIn(dy.range, yAt)]!;
        }
      }
      acc[offsetIn(outRange, oo)] = sum;
    });
    return { out: regionFromAccumulator(outSig.dtype, outRange, acc) };
  },
};

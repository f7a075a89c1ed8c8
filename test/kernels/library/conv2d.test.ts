import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONV2D_KERNEL } from "../../../src/kernels/library/conv2d.js";
import type { Conv2dParams } from "../../../src/kernels/library/conv2d-geometry.js";
import { ZRange } from "../../../src/zspace/z-range.js";
import {
  decode,
  expectRegionsClose,
  expectValuesClose,
  f64,
  issuesOf,
  randInt,
  randomRegion,
  rng,
  run,
  runSharded,
  signatureOf,
  values,
} from "./kernel-harness.js";

const t = (shape: number[], dtype: "float32" | "float64" | "int32" = "float64") => ({ shape, dtype });
const nine = f64([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
const diagonal = f64([1, 1, 2, 2], [1, 0, 0, 1]);

/** Convolution by its definition: explicit loops over every output and tap, bounds-checked padding. */
function referenceConv(
  x: ArrayLike<number>,
  [N, C, H, W]: readonly number[],
  w: ArrayLike<number>,
  [OC, Cg, KH, KW]: readonly number[],
  p: Conv2dParams,
): { shape: number[]; data: number[] } {
  const [sh, sw] = p.stride;
  const [ph, pw] = p.padding;
  const [dh, dw] = p.dilation;
  const OH = Math.floor((H! + 2 * ph - dh * (KH! - 1) - 1) / sh) + 1;
  const OW = Math.floor((W! + 2 * pw - dw * (KW! - 1) - 1) / sw) + 1;
  const OCg = OC! / p.groups;
  const data: number[] = [];
  for (let n = 0; n < N!; n++)
    for (let oc = 0; oc < OC!; oc++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const g = Math.floor(oc / OCg);
          let s = 0;
          for (let c = 0; c < Cg!; c++)
            for (let kh = 0; kh < KH!; kh++)
              for (let kw = 0; kw < KW!; kw++) {
                const ih = oh * sh - ph + kh * dh;
                const iw = ow * sw - pw + kw * dw;
                if (ih < 0 || ih >= H! || iw < 0 || iw >= W!) continue;
                const xv = x[((n * C! + g * Cg! + c) * H! + ih) * W! + iw]!;
                s += xv * w[((oc * Cg! + c) * KH! + kh) * KW! + kw]!;
              }
          data.push(s);
        }
  return { shape: [N!, OC!, OH, OW], data };
}

/** A random small valid configuration (the padded input always holds the dilated kernel). */
function randomConfig(seed: number) {
  const next = rng(seed);
  const groups = randInt(next, 1, 2);
  const params: Conv2dParams = {
    stride: [randInt(next, 1, 3), randInt(next, 1, 2)],
    padding: [randInt(next, 0, 2), randInt(next, 0, 1)],
    dilation: [randInt(next, 1, 2), randInt(next, 1, 2)],
    groups,
  };
  const KH = randInt(next, 1, 3);
  const KW = randInt(next, 1, 3);
  const fieldH = params.dilation[0] * (KH - 1) + 1;
  const fieldW = params.dilation[1] * (KW - 1) + 1;
  const H = Math.max(randInt(next, 1, 6), fieldH - 2 * params.padding[0]);
  const W = Math.max(randInt(next, 1, 5), fieldW - 2 * params.padding[1]);
  const Cg = randInt(next, 1, 2);
  const OCg = randInt(next, 1, 2);
  const xShape = [randInt(next, 1, 2), groups * Cg, H, W];
  const wShape = [groups * OCg, Cg, KH, KW];
  return {
    params,
    x: randomRegion("float64", xShape, next),
    w: randomRegion("float64", wShape, next),
    xShape,
    wShape,
    next,
  };
}

describe("conv2d", () => {
  it("convolves a 3×3 image with a 2×2 diagonal filter (hand-computed)", () => {
    const out = run(CONV2D_KERNEL, {}, { x: nine, w: diagonal });
    expect(out.range.shape.toArray()).toEqual([1, 1, 2, 2]);
    expect(values(out)).toEqual([1 + 5, 2 + 6, 4 + 8, 5 + 9]);
  });

  it("pads with zeros and strides", () => {
    // Windows start at rows/cols -1 and 1: only the in-bounds diagonal taps count.
    expect(values(run(CONV2D_KERNEL, { padding: 1, stride: 2 }, { x: nine, w: diagonal }))).toEqual([
      1,
      3,
      7,
      5 + 9,
    ]);
  });

  it("dilates the kernel", () => {
    // Taps at (0, 0) and (2, 2).
    expect(values(run(CONV2D_KERNEL, { dilation: [2, 2] }, { x: nine, w: diagonal }))).toEqual([10]);
  });

  it("keeps groups independent", () => {
    const x = f64([1, 2, 1, 1], [1, 2]);
    expect(values(run(CONV2D_KERNEL, { groups: 2 }, { x, w: f64([2, 1, 1, 1], [3, 4]) }))).toEqual([3, 8]);
    expect(values(run(CONV2D_KERNEL, {}, { x, w: f64([2, 2, 1, 1], [1, 1, 1, -1]) }))).toEqual([3, -1]);
  });

  it("equals explicit nested loops for random stride, padding, dilation and groups", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { params, x, w, xShape, wShape } = randomConfig(seed);
        const want = referenceConv(x.data, xShape, w.data, wShape, params);
        const got = run(CONV2D_KERNEL, params, { x, w });
        expect(got.range.shape.toArray()).toEqual(want.shape);
        expectValuesClose(got.data, want.data, 1e-12);
      }),
      { numRuns: 200 },
    );
  });

  it("sums partial input channels and halo'd spatial shards back to the whole", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { params, x, w, next } = randomConfig(seed);
        const whole = run(CONV2D_KERNEL, params, { x, w });
        const sig = signatureOf(
          CONV2D_KERNEL,
          { x: t(x.range.shape.toArray()), w: t(w.range.shape.toArray()) },
          params,
        );
        // Halve every dimension that can be halved, reduction (icg) included.
        const splits = sig.index.shape.coords.flatMap((e, dim) =>
          e >= 2 && next() < 0.7 ? [{ dim, parts: 2 }] : [],
        );
        const offsets = { x: [1, -2, 3, -1], w: [0, 2, -1, 1], out: [-3, 0, 2, 5] };
        expectRegionsClose(runSharded(CONV2D_KERNEL, params, { x, w }, splits, offsets).out, whole, 1e-12);
      }),
      { numRuns: 100 },
    );
  });

  describe("signature", () => {
    const x = t([2, 6, 5, 7]);
    const w = t([4, 3, 3, 2]);
    const raw = { stride: [1, 2], padding: [1, 0], dilation: [1, 2], groups: 2 };

    it("indexes [n, g, ocg, oh, ow, icg] with icg a sum reduction", () => {
      const sig = signatureOf(CONV2D_KERNEL, { x, w }, raw);
      // OH = (5 + 2 - 3) / 1 + 1 = 5; OW = ⌊(7 - 2·1 - 1) / 2⌋ + 1 = 3
      expect(sig.indexNames).toEqual(["n", "g", "ocg", "oh", "ow", "icg"]);
      expect(sig.index.shape.toArray()).toEqual([2, 2, 2, 5, 3, 3]);
      expect(sig.reductions).toEqual([{ dim: 5, monoid: "sum" }]);
      expect(sig.outputs.out!.shape).toEqual([2, 4, 5, 3]);
      const xp = sig.inputs.x!.projection;
      expect(xp.map.matrix).toEqual([
        [1, 0, 0, 0, 0, 0],
        [0, 3, 0, 0, 0, 1],
        [0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 2, 0],
      ]);
      expect(xp.map.offset.toArray()).toEqual([0, 0, -1, 0]);
      expect(xp.shape.toArray()).toEqual([1, 1, 3, 3]);
      expect(sig.inputs.w!.projection.shape.toArray()).toEqual([1, 1, 3, 2]);
      expect(sig.inputs.w!.projection.map.offset.toArray()).toEqual([0, 0, 0, 0]);
    });

    it("projects the whole index space onto the padded input box (when strides tile it)", () => {
      const sig = signatureOf(CONV2D_KERNEL, { x: t([1, 2, 5, 5]), w: t([1, 2, 3, 3]) }, { padding: 1 });
      expect(sig.inputs.x!.projection.applyRange(sig.index)).toEqual(
        ZRange.fromBounds([0, 0, -1, -1], [1, 2, 6, 6]),
      );
      expect(sig.inputs.w!.projection.applyRange(sig.index)).toEqual(ZRange.fromShape([1, 2, 3, 3]));
      expect(sig.outputs.out!.projection.applyRange(sig.index)).toEqual(ZRange.fromShape([1, 1, 5, 5]));
    });

    it("stops at the last window when the stride leaves padded rows unread", () => {
      // H = 6, K = 3, p = 1, s = 2: OH = 3, windows start at -1, 1, 3 and end at 6 (row 6 is never read).
      const sig = signatureOf(
        CONV2D_KERNEL,
        { x: t([1, 1, 6, 6]), w: t([1, 1, 3, 3]) },
        { padding: 1, stride: 2 },
      );
      expect(sig.inputs.x!.projection.applyRange(sig.index)).toEqual(
        ZRange.fromBounds([0, 0, -1, -1], [1, 1, 6, 6]),
      );
    });

    it("gives neighbouring output shards overlapping input halos", () => {
      const sig = signatureOf(CONV2D_KERNEL, { x: t([1, 1, 8, 8]), w: t([1, 1, 3, 3]) }, { padding: 1 });
      const [top, bottom] = sig.index.split([{ dim: 3, parts: 2 }]);
      const a = sig.inputs.x!.projection.applyRange(top!);
      const b = sig.inputs.x!.projection.applyRange(bottom!);
      expect([a.start.coords[2], a.end.coords[2], b.start.coords[2], b.end.coords[2]]).toEqual([-1, 5, 3, 9]);
    });
  });

  describe("params and issues", () => {
    it("defaults to stride 1, no padding, no dilation, one group; accepts one integer for a pair", () => {
      expect(decode(CONV2D_KERNEL, {})).toEqual({
        stride: [1, 1],
        padding: [0, 0],
        dilation: [1, 1],
        groups: 1,
      });
      expect(decode(CONV2D_KERNEL, { stride: 2, padding: [1, 0] })).toMatchObject({
        stride: [2, 2],
        padding: [1, 0],
      });
    });

    it("rejects malformed params with their paths", () => {
      const issues = issuesOf(
        CONV2D_KERNEL,
        { x: t([1, 1, 3, 3]), w: t([1, 1, 1, 1]) },
        {
          stride: [0, 1],
          padding: -1,
          dilation: [1, 2, 3],
          groups: 0,
        },
      );
      expect(issues.map((i) => [i.code, i.path])).toEqual([
        ["invalid_param", "/op/params/stride"],
        ["invalid_param", "/op/params/padding"],
        ["invalid_param", "/op/params/dilation"],
        ["invalid_param", "/op/params/groups"],
      ]);
      expect(issues[0]?.summary).toBe(
        "`stride` must be an integer ≥ 1 or a pair [h, w] of them, found an array of length 2",
      );
    });

    it("needs rank-4 operands", () => {
      expect(issuesOf(CONV2D_KERNEL, { x: t([1, 3, 3]), w: t([1, 1, 1, 1]) })).toEqual([
        expect.objectContaining({
          code: "rank_mismatch",
          path: "/op/inputs/x",
          summary: "input x must have rank 4 (conv2d takes NCHW input), found rank 3 with shape [1, 3, 3]",
        }),
      ]);
    });

    it("names the filter's channel dimension against x's channels per group", () => {
      expect(issuesOf(CONV2D_KERNEL, { x: t([1, 6, 5, 5]), w: t([4, 2, 3, 3]) }, { groups: 2 })).toEqual([
        expect.objectContaining({
          code: "shape_mismatch",
          path: "/op/inputs/w",
          summary:
            "input w dimension 1 (input channels per group) must equal input x dimension 1 / groups = 6 / 2 = 3, found 2",
        }),
      ]);
    });

    it("requires groups to divide both channel counts", () => {
      expect(
        issuesOf(CONV2D_KERNEL, { x: t([1, 6, 5, 5]), w: t([5, 2, 3, 3]) }, { groups: 4 }).map(
          (i) => i.summary,
        ),
      ).toEqual([
        "input x dimension 1 (input channels) = 6 is not divisible by `groups` = 4",
        "input w dimension 0 (output channels) = 5 is not divisible by `groups` = 4",
      ]);
    });

    it("rejects a dilated kernel larger than the padded input", () => {
      expect(issuesOf(CONV2D_KERNEL, { x: t([1, 1, 3, 9]), w: t([1, 1, 3, 3]) }, { dilation: 2 })).toEqual([
        expect.objectContaining({
          code: "shape_mismatch",
          path: "/op/inputs/x",
          summary:
            "input x dimension 2 (height) = 3 plus padding 2·0 is 3, smaller than the dilated kernel height 2·(3 − 1) + 1 = 5 of input w dimension 2",
        }),
      ]);
      expect(issuesOf(CONV2D_KERNEL, { x: t([1, 1, 3, 3]), w: t([1, 1, 0, 1]) })).toEqual([
        expect.objectContaining({
          code: "shape_mismatch",
          summary: "input w dimension 2 (kernel height) must be at least 1, found 0",
        }),
      ]);
    });

    it("accepts only float dtypes", () => {
      expect(
        issuesOf(CONV2D_KERNEL, { x: t([1, 1, 3, 3], "int32"), w: t([1, 1, 1, 1], "int32") }).map(
          (i) => i.code,
        ),
      ).toEqual(["dtype_mismatch", "dtype_mismatch"]);
    });
  });
});

/**
 * conv2d on the ONNX backend, geometry by geometry: shards that take several groups but only
 * some input or output channels of each (bounding boxes with channels in between), partial
 * sums over input channels, regions clipped at the tensor border (explicit asymmetric pads),
 * strides, dilations and shards that read padding only.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOnnxBackend, type KernelBackend } from "../../../src/exec/backend/index.js";
import type { AnyKernelDef } from "../../../src/kernels/kernel.js";
import { BUILTIN_KERNELS } from "../../../src/kernels/library/index.js";
import { ZRange } from "../../../src/zspace/z-range.js";
import { randInt, randomRegion, rng } from "../../kernels/library/kernel-harness.js";
import { expectClose, type PlacedCase, place, runOn, shardContext, tolerance } from "./backend-harness.js";

const conv: AnyKernelDef = BUILTIN_KERNELS.conv2d;

let backend: KernelBackend;
beforeAll(async () => {
  backend = await createOnnxBackend();
});
afterAll(async () => {
  await backend.dispose();
});

interface Config {
  readonly n: number;
  readonly groups: number;
  readonly cg: number;
  readonly ocg: number;
  readonly h: number;
  readonly w: number;
  readonly k: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
}

/** A float32 conv2d instance placed at random offsets. */
function convCase(c: Config, next: () => number): PlacedCase {
  const x = randomRegion("float32", [c.n, c.groups * c.cg, c.h, c.w], next);
  const w = randomRegion("float32", [c.groups * c.ocg, c.cg, c.k[0], c.k[1]], next);
  const params = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
  return place(conv, { params, inputs: { x, w } }, next);
}

/**
 * Runs shard `index` (regions exactly as needed, clipped at borders) and checks that it matches
 * the reference and ran natively — unless its receptive field holds padding only (then the
 * reference's zeros are as cheap, and no fallback is recorded either).
 */
async function expectShard(p: PlacedCase, index: ZRange): Promise<boolean> {
  const ctx = shardContext(p, index);
  const report = await runOn(backend, conv, ctx);
  expectClose(report.out, conv.impl(ctx).out!, tolerance("conv2d", ctx));
  expect(report.fallbacks).toEqual([]);
  expect(report.native).toBe(!ctx.inputs.x!.range.isEmpty());
  return report.native;
}

const config = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  groups: fc.integer({ min: 2, max: 4 }),
  cg: fc.integer({ min: 2, max: 4 }),
  ocg: fc.integer({ min: 2, max: 4 }),
  // At least the largest dilated kernel (2·(3 − 1) + 1), so that every config has an output.
  h: fc.integer({ min: 5, max: 9 }),
  w: fc.integer({ min: 5, max: 9 }),
  k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
});

describe("conv2d shards on the onnx backend", () => {
  it("several groups with some input and output channels of each: the right channels, zeros between", async () => {
    let native = 0;
    await fc.assert(
      fc.asyncProperty(config, fc.integer(), async (c, seed) => {
        const next = rng(seed);
        const p = convCase(c, next);
        const [n, g, ocg, oh, ow, icg] = p.signature.index.end.coords as number[];
        // Two or more groups, a strict sub-range of channels per group, any rows and columns.
        const g0 = randInt(next, 0, g! - 2);
        const o0 = randInt(next, 0, ocg! - 1);
        const c0 = randInt(next, 0, icg! - 1);
        const h0 = randInt(next, 0, oh! - 1);
        const w0 = randInt(next, 0, ow! - 1);
        const index = ZRange.fromBounds(
          [0, g0, o0, h0, w0, c0],
          [
            n!,
            randInt(next, g0 + 2, g!),
            randInt(next, o0 + 1, ocg!),
            randInt(next, h0 + 1, oh!),
            randInt(next, w0 + 1, ow!),
            randInt(next, c0 + 1, icg!),
          ],
        );
        if (await expectShard(p, index)) native++;
      }),
      { numRuns: 40 },
    );
    expect(native).toBeGreaterThan(20);
  });

  it("partial sums over input channels fold to the whole convolution", async () => {
    const next = rng(7);
    const p = convCase(
      {
        n: 2,
        groups: 2,
        cg: 5,
        ocg: 3,
        h: 7,
        w: 6,
        k: [3, 2],
        stride: [2, 1],
        padding: [1, 2],
        dilation: [2, 1],
      },
      next,
    );
    const index = p.signature.index;
    const whole = (await runOn(backend, conv, shardContext(p, index))).out;
    const sum = new Float64Array(whole.data.length);
    for (const cut of index.splitDim(5, 3)) {
      const part = await runOn(backend, conv, shardContext(p, cut));
      expect(part.native).toBe(true);
      expect(part.out.range.equals(whole.range)).toBe(true);
      part.out.data.forEach((v, i) => {
        sum[i]! += v;
      });
    }
    const tol = tolerance("conv2d", shardContext(p, index));
    whole.data.forEach((v, i) => {
      expect(Math.abs(sum[i]! - v)).toBeLessThanOrEqual(2 * tol(v));
    });
  });

  it("a corner shard whose receptive field leaves the tensor pads asymmetrically", async () => {
    const next = rng(11);
    const p = convCase(
      {
        n: 1,
        groups: 1,
        cg: 2,
        ocg: 2,
        h: 5,
        w: 5,
        k: [3, 3],
        stride: [1, 1],
        padding: [2, 1],
        dilation: [1, 1],
      },
      next,
    );
    const [, , , oh, ow] = p.signature.index.end.coords as number[];
    // Top-left output rows and columns read 2 rows and 1 column of padding; bottom-right ones too.
    await expectShard(p, ZRange.fromBounds([0, 0, 0, 0, 0, 0], [1, 1, 2, 2, 2, 2]));
    await expectShard(p, ZRange.fromBounds([0, 0, 0, oh! - 2, ow! - 2, 0], [1, 1, 2, oh!, ow!, 2]));
    const x = shardContext(p, ZRange.fromBounds([0, 0, 0, 0, 0, 0], [1, 1, 2, 2, 2, 2])).inputs.x!;
    const needed = p.signature.inputs.x!.projection.applyRange(
      ZRange.fromBounds([0, 0, 0, 0, 0, 0], [1, 1, 2, 2, 2, 2]),
    );
    expect(x.range.shape.coords.slice(2)).toEqual([2, 3]);
    expect(needed.shape.coords.slice(2)).toEqual([4, 4]);
  });

  it("a shard that reads only padding is zero, computed without a fallback", async () => {
    const next = rng(3);
    const p = convCase(
      {
        n: 1,
        groups: 1,
        cg: 1,
        ocg: 1,
        h: 3,
        w: 3,
        k: [1, 1],
        stride: [1, 1],
        padding: [2, 2],
        dilation: [1, 1],
      },
      next,
    );
    const ctx = shardContext(p, ZRange.fromBounds([0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]));
    const report = await runOn(backend, conv, ctx);
    expect(Array.from(report.out.data)).toEqual([0]);
    expect(report.fallbacks).toEqual([]);
  });
});

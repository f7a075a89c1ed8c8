/**
 * The shard contract every kernel must honour: cut the index space into an uneven grid
 * (reduction dimensions included), run each shard on only the inputs its projections reach,
 * fold the partial outputs with the reduction monoid, and get the unsharded result back —
 * exactly when no float sum is split, within 1e-9 relative for float64 sums. Operands live at
 * random absolute offsets, as selections of larger tensors do.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DType } from "../../../src/base/dtype.js";
import type { AnyKernelDef } from "../../../src/kernels/kernel.js";
import { TS_KERNELS } from "../../../src/kernels/library/ts-kernels.js";
import type { Region } from "../../../src/kernels/region.js";
import type { DimSplit } from "../../../src/zspace/z-range.js";
import { KERNEL_CASES } from "../../exec/backend/kernel-cases.js";
import {
  broadcastable,
  expectRegionsClose,
  pick,
  randInt,
  randomRegion,
  rng,
  run,
  runSharded,
  shapeOf,
  signatureOf,
  typeOf,
} from "./kernel-harness.js";

interface Case {
  readonly kernel: AnyKernelDef;
  readonly params: unknown;
  readonly inputs: Record<string, Region>;
}

type Next = () => number;

const CASES: Record<string, (next: Next) => Case> = {
  binary: (next) => {
    const dtype = pick<DType>(next, ["float32", "float64", "int32"]);
    const out = shapeOf(next, randInt(next, 1, 3));
    const kernel = pick(next, [
      TS_KERNELS.add,
      TS_KERNELS.sub,
      TS_KERNELS.mul,
      TS_KERNELS.div,
      TS_KERNELS.maximum,
      TS_KERNELS.minimum,
    ]);
    return {
      kernel,
      params: {},
      inputs: {
        a: randomRegion(dtype, broadcastable(next, out), next),
        b: randomRegion(dtype, broadcastable(next, out), next),
      },
    };
  },
  matmul: (next) => {
    const dtype = pick<DType>(next, ["float64", "int32"]);
    const batch = shapeOf(next, randInt(next, 0, 2), 3);
    const [m, n, k] = shapeOf(next, 3) as [number, number, number];
    const a = next() < 0.2 ? [k] : [...broadcastable(next, batch), m, k];
    const b = next() < 0.2 ? [k] : [...broadcastable(next, batch), k, n];
    return {
      kernel: TS_KERNELS.matmul,
      params: {},
      inputs: { a: randomRegion(dtype, a, next), b: randomRegion(dtype, b, next) },
    };
  },
  linear: (next) => {
    const [nIn, nOut] = shapeOf(next, 2) as [number, number];
    const x = [...shapeOf(next, randInt(next, 0, 2), 3), nIn];
    const inputs: Record<string, Region> = {
      x: randomRegion("float64", x, next),
      w: randomRegion("float64", [nIn, nOut], next),
    };
    if (next() < 0.7) inputs.b = randomRegion("float64", [nOut], next);
    return { kernel: TS_KERNELS.linear, params: {}, inputs };
  },
  reduce: (next) => {
    const kernel = pick(next, [TS_KERNELS.sum, TS_KERNELS.max, TS_KERNELS.min, TS_KERNELS.mean]);
    const dtype = kernel.id === "mean" ? "float64" : pick<DType>(next, ["float64", "int32"]);
    const shape = shapeOf(next, randInt(next, 1, 3));
    const dims = shape.flatMap((_, d) => (next() < 0.5 ? [next() < 0.5 ? d : d - shape.length] : []));
    const params = next() < 0.2 ? { keepdims: next() < 0.5 } : { dims, keepdims: next() < 0.5 };
    return { kernel, params, inputs: { x: randomRegion(dtype, shape, next) } };
  },
  softmax: (next) => {
    const shape = shapeOf(next, randInt(next, 2, 3));
    const dim = randInt(next, -shape.length, shape.length - 1);
    return {
      kernel: TS_KERNELS.softmax,
      params: { dim },
      inputs: { x: randomRegion(pick<DType>(next, ["float32", "float64"]), shape, next) },
    };
  },
  layerNorm: (next) => {
    const shape = shapeOf(next, randInt(next, 2, 4));
    const k = randInt(next, 1, shape.length - 1);
    const inputs: Record<string, Region> = { x: randomRegion("float64", shape, next) };
    if (next() < 0.5) inputs.weight = randomRegion("float64", shape.slice(shape.length - k), next);
    if (next() < 0.5) inputs.bias = randomRegion("float64", shape.slice(shape.length - k), next);
    return { kernel: TS_KERNELS.layer_norm, params: { normalizedDims: k, eps: 1e-3 }, inputs };
  },
  conv2d: (next) => {
    const groups = randInt(next, 1, 2);
    const [KH, KW] = shapeOf(next, 2, 3) as [number, number];
    const params = {
      stride: [randInt(next, 1, 2), randInt(next, 1, 2)],
      padding: [randInt(next, 0, 2), randInt(next, 0, 2)],
      dilation: [randInt(next, 1, 2), 1],
      groups,
    };
    const H = Math.max(randInt(next, 1, 5), params.dilation[0]! * (KH - 1) + 1 - 2 * params.padding[0]!);
    const W = Math.max(randInt(next, 1, 5), KW - 2 * params.padding[1]!);
    const Cg = randInt(next, 1, 3);
    const x = randomRegion("float64", [randInt(next, 1, 2), groups * Cg, H, W], next);
    const w = randomRegion("float64", [groups * randInt(next, 1, 2), Cg, KH, KW], next);
    return { kernel: TS_KERNELS.conv2d, params, inputs: { x, w } };
  },
  max_pool2d: (next) => {
    const kernel = shapeOf(next, 2, 3);
    const params = {
      kernel,
      stride: [randInt(next, 1, 2), randInt(next, 1, 2)],
      padding: kernel.map((k) => randInt(next, 0, k - 1)),
      dilation: [randInt(next, 1, 2), 1],
    };
    const [H, W] = [0, 1].map((i) =>
      Math.max(randInt(next, 1, 5), params.dilation[i]! * (kernel[i]! - 1) + 1),
    );
    const x = randomRegion("float64", [randInt(next, 1, 2), randInt(next, 1, 3), H!, W!], next);
    return { kernel: TS_KERNELS.max_pool2d, params, inputs: { x } };
  },
  conv_transpose2d: (next) => {
    const [kh, kw] = shapeOf(next, 2, 3) as [number, number];
    const [n, ic, oc, h, w] = shapeOf(next, 5, 3) as [number, number, number, number, number];
    return {
      kernel: TS_KERNELS.conv_transpose2d,
      params: { stride: [kh, kw] },
      inputs: {
        x: randomRegion("float64", [n, ic, h, w], next),
        w: randomRegion("float64", [ic, oc, kh, kw], next),
      },
    };
  },
  upsample_nearest2d: (next) => ({
    kernel: TS_KERNELS.upsample_nearest2d,
    params: { scale: [randInt(next, 1, 3), randInt(next, 1, 3)] },
    inputs: { x: randomRegion("float64", shapeOf(next, 4, 3), next) },
  }),
  transpose: (next) => {
    const shape = shapeOf(next, randInt(next, 0, 3));
    const perm = shape.map((_, i) => i).sort(() => next() - 0.5);
    return {
      kernel: TS_KERNELS.transpose,
      params: { perm },
      inputs: { x: randomRegion(pick<DType>(next, ["float32", "int32"]), shape, next) },
    };
  },
  slice: (next) => {
    const shape = shapeOf(next, randInt(next, 1, 3), 5).map((s) => s + 2);
    // Mostly non-empty slices, written with negative or past-the-end bounds now and then.
    const starts = shape.map((s) => randInt(next, 0, s - 1));
    const ends = shape.map((s, d) => randInt(next, starts[d]! + 1, s));
    const params = {
      start: starts.map((b, d) => (next() < 0.3 ? b - shape[d]! : b)),
      end: ends.map((e, d) => (e === shape[d]! && next() < 0.5 ? e + 3 : e)),
      step: shape.map(() => randInt(next, 1, 2)),
    };
    return { kernel: TS_KERNELS.slice, params, inputs: { x: randomRegion("float64", shape, next) } };
  },
  broadcastTo: (next) => {
    const target = shapeOf(next, randInt(next, 0, 3));
    return {
      kernel: TS_KERNELS.broadcast_to,
      params: { shape: target },
      inputs: { x: randomRegion("int32", broadcastable(next, target), next) },
    };
  },
  copy: (next) => ({
    kernel: TS_KERNELS.copy,
    params: {},
    inputs: { x: randomRegion("float64", shapeOf(next, randInt(next, 1, 3)), next) },
  }),
  ...Object.fromEntries(
    (["pad", "conv2d_input_grad", "conv2d_weight_grad", "max_pool2d_grad"] as const).map((id) => [
      id,
      (next: Next): Case => ({ kernel: TS_KERNELS[id], ...KERNEL_CASES[id](next) }),
    ]),
  ),
  reshape: (next) => {
    const shape = shapeOf(next, randInt(next, 1, 3));
    const count = shape.reduce((p, s) => p * s, 1);
    return {
      kernel: TS_KERNELS.reshape,
      params: { shape: [-1, ...(count % 2 === 0 ? [2] : [])] },
      inputs: { x: randomRegion("float64", shape, next) },
    };
  },
};

/**
 * An uneven grid: each dimension of extent ≥ 2 gets 1–2 random cut points with probability 0.7,
 * and at least one such dimension is always cut.
 */
function randomSplits(next: Next, extents: readonly number[]): DimSplit[] {
  const cuttable = extents.flatMap((e, dim) => (e >= 2 ? [dim] : []));
  const forced = cuttable.length === 0 ? -1 : pick(next, cuttable);
  return cuttable.flatMap((dim) => {
    const e = extents[dim]!;
    if (dim !== forced && next() < 0.3) return [];
    const cuts = [
      ...new Set([randInt(next, 1, e - 1), randInt(next, 1, e - 1)].slice(0, randInt(next, 1, 2))),
    ];
    return [{ dim, cuts: cuts.sort((p, q) => p - q) }];
  });
}

/** Exact unless a float sum is split (then within 1e-9 relative, float32 partials within 1e-5). */
function tolerance(
  c: Case,
  splits: readonly DimSplit[],
  reductionDims: readonly number[],
  dtype: DType,
): number {
  const splitsSum =
    splits.some((s) => reductionDims.includes(s.dim)) && c.kernel.id !== "max" && c.kernel.id !== "min";
  if (!splitsSum || dtype === "int32") return 0;
  return dtype === "float32" ? 1e-5 : 1e-9;
}

describe("shard contract", () => {
  it.each(Object.keys(CASES))("%s: sharded runs fold to the unsharded result", (family) => {
    let shardedRuns = 0;
    let splittableRuns = 0;
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const next = rng(seed);
        const c = CASES[family]!(next);
        const whole = run(c.kernel, c.params, c.inputs);
        const sig = signatureOf(
          c.kernel,
          Object.fromEntries(Object.entries(c.inputs).map(([k, r]) => [k, typeOf(r)])),
          c.params,
        );
        const splits = randomSplits(next, sig.index.shape.coords);
        const offsets = Object.fromEntries(
          [...Object.entries(sig.inputs), ...Object.entries(sig.outputs)].map(([name, o]) => [
            name,
            o.shape.map(() => randInt(next, -3, 3)),
          ]),
        );
        const { out, shards } = runSharded(c.kernel, c.params, c.inputs, splits, offsets);
        if (shards > 1) shardedRuns++;
        if (sig.index.shape.coords.some((e) => e >= 2)) splittableRuns++;
        const rel = tolerance(
          c,
          splits,
          sig.reductions.map((r) => r.dim),
          whole.dtype,
        );
        expectRegionsClose(out, whole, rel);
      }),
      { numRuns: 150 },
    );
    // Every index space that can be cut was cut, and the generators make most of them cuttable.
    expect(shardedRuns).toBe(splittableRuns);
    expect(splittableRuns).toBeGreaterThan(50);
  });

  it("covers every kernel of the table", () => {
    const seen = new Set<string>();
    for (const make of Object.values(CASES)) for (let s = 0; s < 200; s++) seen.add(make(rng(s)).kernel.id);
    expect([...seen].sort()).toEqual(Object.keys(TS_KERNELS).sort());
  });
});

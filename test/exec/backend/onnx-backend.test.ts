/**
 * The ONNX backend's behaviour around the numbers: its session cache, its fallbacks to the
 * reference implementation (and the reasons it records), and the values where ONNX and the
 * reference could disagree — int32 division by zero and overflow, NaN in max and min.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DType } from "../../../src/base/dtype.js";
import { createOnnxBackend, type KernelBackend } from "../../../src/exec/backend/index.js";
import { declaredKernel, loadKernelDeclarationFile } from "../../../src/kernels/declaration/index.js";
import type { AnyKernelDef, KernelContext } from "../../../src/kernels/kernel.js";
import { BUILTIN_KERNELS, UNARY_DECLARATIONS } from "../../../src/kernels/library/index.js";
import type { Region } from "../../../src/kernels/region.js";
import { ZRange } from "../../../src/zspace/z-range.js";
import { randomRegion, region, rng } from "../../kernels/library/kernel-harness.js";
import { expectClose, place, runOn, shardContext, tolerance } from "./backend-harness.js";

let backend: KernelBackend;
beforeAll(async () => {
  backend = await createOnnxBackend();
});
afterAll(async () => {
  await backend.dispose();
});

/** The whole-range context of `def` on origin-based `inputs`. */
function wholeContext(
  def: AnyKernelDef,
  params: unknown,
  inputs: Record<string, Region>,
): KernelContext<unknown> {
  const p = place(def, { params, inputs }, rng(0), 0);
  return shardContext(p, p.signature.index);
}

/** Runs on the backend, expects exactly the reference's values, and returns the report. */
async function expectExact(def: AnyKernelDef, params: unknown, inputs: Record<string, Region>) {
  const ctx = wholeContext(def, params, inputs);
  const report = await runOn(backend, def, ctx);
  expectClose(report.out, def.impl(ctx).out!, () => 0);
  return report;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const i32 = (values: number[]) => region("int32", [values.length], values);

describe("the session cache", () => {
  it("builds a session once per graph and hits it for repeated identical shapes", async () => {
    const next = rng(1);
    const a = randomRegion("float32", [5, 7], next);
    const b = randomRegion("float32", [7, 3], next);
    const ctx = wholeContext(BUILTIN_KERNELS.matmul, {}, { a, b });
    const before = backend.stats();
    await backend.run(BUILTIN_KERNELS.matmul, ctx);
    const once = backend.stats();
    await backend.run(BUILTIN_KERNELS.matmul, ctx);
    await backend.run(BUILTIN_KERNELS.matmul, ctx);
    const thrice = backend.stats();
    expect(once.sessionsCreated).toBe(before.sessionsCreated + 1);
    expect(thrice.sessionsCreated).toBe(once.sessionsCreated);
    expect(thrice.cacheHits).toBe(once.cacheHits + 2);
    expect(thrice.kernels.matmul!.native).toBe((before.kernels.matmul?.native ?? 0) + 3);
  });

  it("returns outputs the caller owns: later runs on the same session leave them alone", async () => {
    const neg: AnyKernelDef = BUILTIN_KERNELS.neg;
    const first = (await backend.run(neg, wholeContext(neg, {}, { x: i32([1, 2, 3]) }))).out!;
    await backend.run(neg, wholeContext(neg, {}, { x: i32([7, 8, 9]) }));
    expect(Array.from(first.data)).toEqual([-1, -2, -3]);
  });

  it("serves every size of a unary kernel from one session (a symbolic length)", async () => {
    const next = rng(2);
    const before = backend.stats().sessionsCreated;
    const tanh: AnyKernelDef = BUILTIN_KERNELS.tanh;
    for (const shape of [[3], [4, 5], [2, 3, 4]]) {
      const ctx = wholeContext(tanh, {}, { x: randomRegion("float64", shape, next) });
      const report = await runOn(backend, tanh, ctx);
      expectClose(report.out, tanh.impl(ctx).out!, tolerance("tanh", ctx));
    }
    expect(backend.stats().sessionsCreated).toBe(before + 1);
  });

  it("stays correct when sessions are evicted beyond its capacity", async () => {
    const small = await createOnnxBackend({ maxSessions: 2, intraOpNumThreads: 2 });
    const matmul: AnyKernelDef = BUILTIN_KERNELS.matmul;
    try {
      const next = rng(3);
      for (let round = 0; round < 2; round++) {
        for (const n of [2, 3, 4, 5]) {
          const a = randomRegion("int32", [n, n], next);
          const ctx = wholeContext(matmul, {}, { a, b: a });
          expectClose((await small.run(matmul, ctx)).out!, matmul.impl(ctx).out!, () => 0);
        }
      }
      const stats = small.stats();
      expect(stats.sessionsCreated).toBe(8);
      expect(stats.sessionsEvicted).toBe(6);
    } finally {
      await small.dispose();
    }
  });
});

describe("fallbacks to the reference implementation", () => {
  it("runs a declared kernel (no lowering) through its reference implementation and says so", async () => {
    const path = fileURLToPath(new URL("../../fixtures/kernels/squared-distance.yaml", import.meta.url));
    const kernel: AnyKernelDef = loadKernelDeclarationFile(path);
    const next = rng(4);
    const report = await expectExact(
      kernel,
      { scale: 0.5 },
      {
        x: randomRegion("float64", [3, 4], next),
        y: randomRegion("float64", [5, 4], next),
      },
    );
    expect(report.native).toBe(false);
    expect(report.fallbacks).toEqual(["no ONNX lowering for kernel 'squared_distance'"]);
    expect(backend.stats().kernels.squared_distance).toEqual({
      native: 0,
      reference: 1,
      fallbacks: { "no ONNX lowering for kernel 'squared_distance'": 1 },
    });
  });

  it("lowers the built-in kernel objects only, not another kernel that reuses a built-in's id", async () => {
    const lookalike: AnyKernelDef = declaredKernel(UNARY_DECLARATIONS.neg);
    const report = await expectExact(lookalike, {}, { x: randomRegion("float32", [4], rng(5)) });
    expect(report.fallbacks).toEqual(["no ONNX lowering for kernel 'neg'"]);
  });

  it("falls back for conv2d in float64 (no ONNX Runtime kernel), probing once for every shape", async () => {
    const conv = BUILTIN_KERNELS.conv2d;
    const next = rng(6);
    const run = (h: number) =>
      expectExact(
        conv,
        { padding: 1 },
        {
          x: randomRegion("float64", [1, 2, h, h], next),
          w: randomRegion("float64", [3, 2, 3, 3], next),
        },
      );
    const first = await run(4);
    expect(first.fallbacks).toHaveLength(1);
    expect(first.fallbacks[0]).toMatch(/^onnxruntime cannot build the graph: .*Conv/);
    const hits = backend.stats().cacheHits;
    const second = await run(6);
    expect(second.fallbacks).toEqual(first.fallbacks);
    // A different shape, the same (op, dtype): the cached decision answers.
    expect(backend.stats().cacheHits).toBe(hits + 1);
  });

  it("falls back for reshape over part of its index range (it is unshardable)", async () => {
    const reshape: AnyKernelDef = BUILTIN_KERNELS.reshape;
    const p = place(
      reshape,
      { params: { shape: [3, 4] }, inputs: { x: randomRegion("int32", [2, 6], rng(7)) } },
      rng(7),
    );
    const ctx = shardContext(p, ZRange.fromBounds([1, 0], [3, 4]));
    const report = await runOn(backend, reshape, ctx);
    expectClose(report.out, reshape.impl(ctx).out!, () => 0);
    expect(report.fallbacks).toEqual(["reshape lowers only over its whole index range (it is unshardable)"]);
  });

  it("leaves degenerate shards to the reference without calling them fallbacks", async () => {
    // An empty k range: the output is the sum over nothing, zeros, over the whole m × n box.
    const matmul: AnyKernelDef = BUILTIN_KERNELS.matmul;
    const next = rng(8);
    const p = place(
      matmul,
      {
        params: {},
        inputs: { a: randomRegion("float32", [2, 3], next), b: randomRegion("float32", [3, 4], next) },
      },
      next,
    );
    const ctx = shardContext(p, ZRange.fromBounds([0, 0, 1], [2, 4, 1]));
    const report = await runOn(backend, matmul, ctx);
    expectClose(report.out, matmul.impl(ctx).out!, () => 0);
    expect(Array.from(report.out.data)).toEqual(new Array(8).fill(0));
    expect(report.native).toBe(false);
    expect(report.fallbacks).toEqual([]);
  });
});

describe("values where ONNX and the reference could disagree", () => {
  it("int32 division truncates toward zero, gives 0 for x / 0 and wraps INT_MIN / -1", async () => {
    const a = i32([7, -7, 7, -7, 5, 0, INT_MIN, INT_MIN, INT_MAX, -3]);
    const b = i32([2, 2, -2, -2, 0, 0, -1, 1, -1, 7]);
    const report = await expectExact(BUILTIN_KERNELS.div, {}, { a, b });
    expect(report.native).toBe(true);
    expect(Array.from(report.out.data)).toEqual([3, -3, -3, 3, 0, 0, INT_MIN, INT_MIN, -INT_MAX, 0]);
  });

  it.each(["add", "sub", "mul"] as const)(
    "int32 %s wraps mod 2^32 as the reference's store does",
    async (id) => {
      const a = i32([INT_MAX, INT_MIN, 65536, -65537, 123456789]);
      const b = i32([1, -1, 65536, 65535, 987654321]);
      expect((await expectExact(BUILTIN_KERNELS[id], {}, { a, b })).native).toBe(true);
    },
  );

  it("int32 sum and matmul wrap mod 2^32 (ONNX Runtime's int32 ReduceSum alone would saturate)", async () => {
    const x = region("int32", [2, 3], [INT_MAX, INT_MAX, 5, INT_MIN, -1, -1]);
    const sum = await expectExact(BUILTIN_KERNELS.sum, { dims: [1] }, { x });
    expect(sum.native).toBe(true);
    expect(Array.from(sum.out.data)).toEqual([3, INT_MAX - 1]);
    const b = region("int32", [3, 2], [65536, 3, 65536, -7, 2, INT_MAX]);
    expect((await expectExact(BUILTIN_KERNELS.matmul, {}, { a: x, b })).native).toBe(true);
  });

  it.each(["float32", "float64"] as const)(
    "%s max and min over a dimension let NaN win, as the reference does",
    async (dtype: DType) => {
      const x = region(
        dtype,
        [3, 3],
        [1, Number.NaN, 3, -1, -2, -3, Number.NaN, 0, Number.POSITIVE_INFINITY],
      );
      for (const id of ["max", "min"] as const) {
        for (const dims of [[0], [1], [0, 1]]) {
          const report = await expectExact(BUILTIN_KERNELS[id], { dims }, { x });
          expect(report.native).toBe(true);
        }
      }
    },
  );

  it.each(["float32", "float64"] as const)(
    "%s unary kernels agree on zeros, infinities and NaN",
    async (dtype) => {
      const specials = [
        0,
        -0,
        -1,
        1e-30,
        100,
        -100,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.NaN,
      ];
      for (const id of ["neg", "abs", "exp", "log", "sqrt", "relu", "gelu", "sigmoid", "tanh"] as const) {
        const def: AnyKernelDef = BUILTIN_KERNELS[id];
        const ctx = wholeContext(def, {}, { x: region(dtype, [specials.length], specials) });
        const report = await runOn(backend, def, ctx);
        expectClose(report.out, def.impl(ctx).out!, tolerance(id, ctx));
        expect(report.native).toBe(true);
      }
    },
  );

  it("int32 neg, abs and relu of INT_MIN wrap as the reference's store does", async () => {
    for (const id of ["neg", "abs", "relu"] as const)
      expect((await expectExact(BUILTIN_KERNELS[id], {}, { x: i32([INT_MIN, INT_MAX, -1, 0]) })).native).toBe(
        true,
      );
  });

  it("float division by zero gives the IEEE infinities and NaN", async () => {
    const a = region("float32", [4], [1, -1, 0, Number.NaN]);
    const b = region("float32", [4], [0, 0, 0, 0]);
    const report = await expectExact(BUILTIN_KERNELS.div, {}, { a, b });
    expect(Array.from(report.out.data)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      Number.NaN,
    ]);
  });

  it.each(["maximum", "minimum"] as const)("elementwise %s lets NaN win on either side", async (id) => {
    const a = region("float32", [4], [Number.NaN, 1, Number.NaN, 2]);
    const b = region("float32", [4], [1, Number.NaN, Number.NaN, -2]);
    const report = await expectExact(BUILTIN_KERNELS[id], {}, { a, b });
    expect(report.native).toBe(true);
  });
});

describe("stats", () => {
  it("counts runs per kernel, natively and by reference", async () => {
    const fresh = await createOnnxBackend();
    try {
      expect(fresh.name).toBe("onnx");
      expect(fresh.stats()).toEqual({ sessionsCreated: 0, cacheHits: 0, sessionsEvicted: 0, kernels: {} });
      const x = randomRegion("float32", [3], rng(9));
      await fresh.run(BUILTIN_KERNELS.exp, wholeContext(BUILTIN_KERNELS.exp, {}, { x }));
      await fresh.run(BUILTIN_KERNELS.exp, wholeContext(BUILTIN_KERNELS.exp, {}, { x }));
      expect(fresh.stats()).toEqual({
        sessionsCreated: 1,
        cacheHits: 1,
        sessionsEvicted: 0,
        kernels: { exp: { native: 2, reference: 0, fallbacks: {} } },
      });
    } finally {
      await fresh.dispose();
    }
  });
});

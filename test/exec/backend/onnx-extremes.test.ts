/**
 * The ONNX backend against the reference on the extreme inputs where ONNX Runtime's own
 * float32 arithmetic loses what the reference keeps: overflowing partial sums, saturated
 * sigmoids, the cancelling `1 + tanh` of gelu, and layer_norm of rows near the float32 limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DType } from "../../../src/base/dtype.js";
import { createOnnxBackend, type KernelBackend } from "../../../src/exec/backend/index.js";
import type { AnyKernelDef } from "../../../src/kernels/kernel.js";
import { BUILTIN_KERNELS } from "../../../src/kernels/library/index.js";
import type { Region } from "../../../src/kernels/region.js";
import { region } from "../../kernels/library/kernel-harness.js";
import { runWhole } from "./backend-harness.js";

let backend: KernelBackend;
beforeAll(async () => {
  backend = await createOnnxBackend();
});
afterAll(async () => {
  await backend.dispose();
});

/** The backend's and the reference's output of `def` on whole `inputs`. */
async function both(def: AnyKernelDef, params: unknown, inputs: Record<string, Region>) {
  const run = await runWhole(backend, def, params, inputs);
  expect(run.backend.native).toBe(true);
  return { got: Array.from(run.backend.out.data), want: Array.from(run.reference.data) };
}

/** Elementwise relative difference, with 0 = 0 (and −0) equal. */
function maxRelative(got: number[], want: number[]): number {
  return Math.max(0, ...got.map((g, i) => (g === want[i] ? 0 : Math.abs(g - want[i]!) / Math.abs(want[i]!))));
}

const DTYPES: DType[] = ["float32", "float64"];

describe("the ONNX backend equals the reference on extreme inputs", () => {
  const big = [3e38, 3e38, -3e38];
  it.each(DTYPES)("sums [3e38, 3e38, −3e38] without overflowing (%s)", async (dtype) => {
    for (const kernel of ["sum", "mean"] as const) {
      const { got, want } = await both(
        BUILTIN_KERNELS[kernel],
        { dims: [0] },
        { x: region(dtype, [3], big) },
      );
      expect(got).toEqual(want);
      expect(Number.isFinite(got[0]!)).toBe(true);
    }
  });

  it.each(DTYPES)("multiplies [3e38, 3e38, −3e38]·[1, 1, 1] without overflowing (%s)", async (dtype) => {
    const { got, want } = await both(
      BUILTIN_KERNELS.matmul,
      {},
      { a: region(dtype, [1, 3], big), b: region(dtype, [3, 1], [1, 1, 1]) },
    );
    expect(got).toEqual(want);
    const linear = await both(
      BUILTIN_KERNELS.linear,
      {},
      { x: region(dtype, [1, 3], big), w: region(dtype, [3, 1], [1, 1, 1]) },
    );
    expect(linear.got).toEqual(linear.want);
  });

  it.each(DTYPES)("keeps sigmoid's relative accuracy far below zero (%s)", async (dtype) => {
    const xs = [-20, -30, -40, -80, -100, 0, 30, -1e-3];
    const { got, want } = await both(BUILTIN_KERNELS.sigmoid, {}, { x: region(dtype, [xs.length], xs) });
    expect(got[3]! > 0).toBe(true);
    expect(maxRelative(got, want)).toBeLessThan(dtype === "float32" ? 2 ** -22 : 2 ** -48);
  });

  it.each(DTYPES)("computes gelu accurately at −5 and below (%s)", async (dtype) => {
    const xs = [-5, -6, -8, -3, -1, 0, 1, 5, 10];
    const { got } = await both(BUILTIN_KERNELS.gelu, {}, { x: region(dtype, [xs.length], xs) });
    // The exact gelu, with the gate 0.5·(1 + tanh u) as sigmoid(2u): the reference's own
    // float64 `1 + tanh(u)` cancels below −5 (4e-6 relative error at −6).
    const exact = xs.map((x) => x / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))));
    const rounded = dtype === "float32" ? exact.map(Math.fround) : exact;
    expect(maxRelative(got, rounded)).toBeLessThan(dtype === "float32" ? 2 ** -22 : 2 ** -40);
  });

  it("normalizes float32 rows near the float32 limit to ±1", async () => {
    const { got, want } = await both(
      BUILTIN_KERNELS.layer_norm,
      { normalizedDims: 1 },
      { x: region("float32", [2, 2], [3e38, -3e38, -1e38, 1e38]) },
    );
    expect(got).toEqual(want);
    expect(got.map((v) => Math.round(v))).toEqual([1, -1, -1, 1]);
  });
});

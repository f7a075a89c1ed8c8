/**
 * The ONNX backend computes what the reference implementation computes, for every built-in
 * kernel: over the whole index range, and over random shards — sub-boxes cutting any
 * dimension, reductions included (partial outputs), with operands at random absolute offsets
 * and input regions larger than the shard reads. Exact where ONNX Runtime is exact, within the
 * tolerance `tolerance` derives otherwise. fast-check prints the failing seed.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOnnxBackend, type KernelBackend } from "../../../src/exec/backend/index.js";
import type { AnyKernelDef } from "../../../src/kernels/kernel.js";
import { BUILTIN_KERNELS, type BuiltinKernelId } from "../../../src/kernels/library/index.js";
import type { ZRange } from "../../../src/zspace/z-range.js";
import { rng } from "../../kernels/library/kernel-harness.js";
import {
  expectClose,
  type PlacedCase,
  place,
  randomBox,
  runOn,
  shardContext,
  tolerance,
} from "./backend-harness.js";
import { KERNEL_CASES } from "./kernel-cases.js";

// `npm run test:deep` (TESSERA_DEEP=1) runs many more cases.
const RUNS = process.env.TESSERA_DEEP ? 400 : 25;

let backend: KernelBackend;
beforeAll(async () => {
  backend = await createOnnxBackend();
});
afterAll(async () => {
  await backend.dispose();
});

/**
 * Where the reference must run instead of ONNX: conv2d, its gradients, conv_transpose2d,
 * gelu_erf and gelu_erf_grad in float64 (ONNX Runtime has no such Conv, ConvTranspose or Erf),
 * reshape shards, and max_pool2d_grad always (it has no lowering).
 */
function fallbackExpected(p: PlacedCase, index: ZRange): RegExp | undefined {
  const dtype = p.signature.outputs.out!.dtype;
  if (p.def.id === "conv2d" && dtype === "float64") return /Could not find an implementation for Conv/;
  if ((p.def.id === "gelu_erf" || p.def.id === "gelu_erf_grad") && dtype === "float64")
    return /Could not find an implementation for Erf/;
  if (p.def.id === "conv_transpose2d" && dtype === "float64")
    return /Could not find an implementation for ConvTranspose/;
  if (p.def.id === "reshape" && !index.equals(p.signature.index)) return /whole index range/;
  if (p.def.id === "max_pool2d_grad") return /max_pool2d_grad has no ONNX lowering/;
  const convGrad = p.def.id === "conv2d_input_grad" || p.def.id === "conv2d_weight_grad";
  if (convGrad && dtype === "float64") return /Could not find an implementation for (ConvTranspose|Conv)/;
  return undefined;
}

/** Runs one shard on both backends and checks the outputs and how the ONNX backend computed them. */
async function check(p: PlacedCase, whole: boolean, next: () => number): Promise<boolean> {
  const index = whole ? p.signature.index : randomBox(p.signature.index, next);
  const ctx = shardContext(p, index, whole ? undefined : next);
  const expected = p.def.impl(ctx).out!;
  const report = await runOn(backend, p.def, ctx);
  expectClose(report.out, expected, tolerance(p.def.id, ctx));
  const fallback = fallbackExpected(p, index);
  if (fallback !== undefined) {
    // A cached decision is recorded under the same reason (a degenerate shard records none).
    expect(report.native).toBe(false);
    expect(report.fallbacks.length).toBeLessThanOrEqual(1);
    for (const reason of report.fallbacks) expect(reason).toMatch(fallback);
  } else {
    // Degenerate shards (an empty box, or a conv2d shard reading padding only) run the
    // reference without a reason; the native count below bounds how often.
    expect(report.fallbacks).toEqual([]);
  }
  return report.native;
}

function isBuiltinId(id: string): id is BuiltinKernelId {
  return Object.hasOwn(BUILTIN_KERNELS, id);
}

const IDS = Object.keys(BUILTIN_KERNELS).filter(isBuiltinId);

describe.each(IDS)("%s on the onnx backend", (id) => {
  const def: AnyKernelDef = BUILTIN_KERNELS[id];

  it.each([
    ["the whole index range", true],
    ["random shards", false],
  ] as const)("equals the reference over %s", async (_what, whole) => {
    let native = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        const next = rng(seed);
        if (await check(place(def, KERNEL_CASES[id](next), next), whole, next)) native++;
      }),
      { numRuns: RUNS },
    );
    // conv2d, its gradients, conv_transpose2d, gelu_erf and its gradient run natively in float32 only (about
    // half the cases), reshape over its whole range only.
    const halfNative = [
      "conv2d",
      "conv2d_input_grad",
      "conv2d_weight_grad",
      "conv_transpose2d",
      "gelu_erf",
      "gelu_erf_grad",
    ];
    // max_pool2d_grad never does (it has no ONNX lowering).
    if (id === "max_pool2d_grad") {
      expect(native).toBe(0);
      return;
    }
    const expected = halfNative.includes(id) || (id === "reshape" && !whole) ? 0 : RUNS / 2;
    expect(native).toBeGreaterThan(expected);
  });
});

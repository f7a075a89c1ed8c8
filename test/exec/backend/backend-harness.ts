/**
 * Helpers for backend tests: place a kernel instance at absolute offsets, cut random shards
 * with inputs that hold at least what the shard reads, and compare a backend's outputs with
 * the reference implementation's within a tolerance derived per kernel (see `tolerance`).
 */
import { expect } from "vitest";
import type { DType } from "../../../src/base/dtype.js";
import type { KernelBackend } from "../../../src/exec/backend/index.js";
import type { AnyKernelDef, KernelContext } from "../../../src/kernels/kernel.js";
import { type Region, sliceRegion } from "../../../src/kernels/region.js";
import type { Signature } from "../../../src/kernels/signature.js";
import { ZRange } from "../../../src/zspace/z-range.js";
import {
  decode,
  moveRegion,
  placeSignature,
  randInt,
  rng,
  signatureOf,
  typeOf,
} from "../../kernels/library/kernel-harness.js";
import type { KernelCase } from "./kernel-cases.js";

type Next = () => number;

/** A kernel instance in absolute coordinates: every operand at its own offset, as a selection of a larger tensor is. */
export interface PlacedCase {
  readonly def: AnyKernelDef;
  readonly params: unknown;
  readonly signature: Signature;
  /** Whole input tensors, at their offsets. */
  readonly tensors: Readonly<Record<string, Region>>;
}

/** Places `c` with each operand (inputs and outputs) moved by a random offset in [-spread, spread]. */
export function place(def: AnyKernelDef, c: KernelCase, next: Next, spread = 3): PlacedCase {
  const types = Object.fromEntries(Object.entries(c.inputs).map(([k, r]) => [k, typeOf(r)]));
  const sig = signatureOf(def, types, c.params);
  const operands = [...Object.entries(sig.inputs), ...Object.entries(sig.outputs)];
  const offsets = Object.fromEntries(
    operands.map(([name, o]) => [name, o.shape.map(() => randInt(next, -spread, spread))]),
  );
  const tensors = Object.fromEntries(
    Object.entries(c.inputs).map(([k, r]) => [k, moveRegion(r, offsets[k] ?? [])]),
  );
  return { def, params: decode(def, c.params), signature: placeSignature(sig, offsets), tensors };
}

/** A random non-empty sub-box of `range` (each dimension whole with probability 0.3); `range` itself when empty. */
export function randomBox(range: ZRange, next: Next): ZRange {
  if (range.isEmpty()) return range;
  const s = range.start.coords;
  const e = range.end.coords;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let d = 0; d < s.length; d++) {
    const whole = next() < 0.3;
    const a = whole ? s[d]! : randInt(next, s[d]!, e[d]! - 1);
    lo.push(a);
    hi.push(whole ? e[d]! : randInt(next, a + 1, e[d]!));
  }
  return ZRange.fromBounds(lo, hi);
}

/**
 * The context of shard `index`: each input region is its needed box (projection of `index` ∩
 * tensor), grown at random on each side towards the whole tensor — the contract promises
 * *at least* the needed box. Without `next`, exactly the needed box.
 */
export function shardContext(p: PlacedCase, index: ZRange, next?: Next): KernelContext<unknown> {
  const inputs = Object.fromEntries(
    Object.entries(p.tensors).map(([name, tensor]) => {
      const need = p.signature.inputs[name]!.projection.applyRange(index).intersect(tensor.range);
      const box = next === undefined || need.isEmpty() ? need : grow(need, tensor.range, next);
      return [name, sliceRegion(tensor, box)];
    }),
  );
  return { params: p.params, signature: p.signature, index, inputs };
}

function grow(need: ZRange, whole: ZRange, next: Next): ZRange {
  const lo = need.start.coords.map((v, d) => (next() < 0.5 ? v : randInt(next, whole.start.coords[d]!, v)));
  const hi = need.end.coords.map((v, d) => (next() < 0.5 ? v : randInt(next, v, whole.end.coords[d]!)));
  return ZRange.fromBounds(lo, hi);
}

/** Unit roundoff doubled (machine epsilon) of a float dtype: 2^-23 for float32, 2^-52 for float64. */
export function epsilon(dtype: DType): number {
  return dtype === "float32" ? 2 ** -23 : 2 ** -52;
}

/** Largest |value| of the random float inputs (`randomRegion` draws from [-2, 2)). */
const M = 2;

const EXACT = new Set([
  // A maximum picks one of its operands: no rounding at all.
  "max_pool2d",
  // Runs the reference implementation (it has no ONNX lowering).
  "max_pool2d_grad",
  // Copies: no arithmetic.
  "upsample_nearest2d",
  // Correctly rounded in ONNX Runtime, and float64-then-round-once is the same value for
  // + − × ÷ √ on float32 operands (53 ≥ 2·24 + 2 bits: double rounding is innocuous).
  "add",
  "sub",
  "mul",
  "div",
  "sqrt",
  "neg",
  "abs",
  "relu",
  "maximum",
  "minimum",
  "max",
  "min",
  "transpose",
  "slice",
  "broadcast_to",
  "copy",
  "reshape",
]);

/**
 * The largest accepted |actual − expected| for an output element of value `e`, as a function.
 * int32 and the kernels in `EXACT` must match exactly. Otherwise (ε the dtype's machine epsilon):
 *
 * - a sum of K terms of magnitude ≤ M accumulated in the dtype (the reference accumulates in
 *   float64 and rounds once) is off by |err| ≲ K·ε·M, plus ε·|e| for the final rounding: sum
 *   and mean (M = 2), matmul and conv2d (M = 2·2 = 4), linear (one more term: the bias);
 * - a library transcendental (exp, log, tanh, sigmoid) is within a few ulps: 4ε·(1 + |e|);
 *   gelu chains about ten rounded ops: 16ε·(1 + |e|), gelu_erf (erf and four ops) likewise;
 * - hard_sigmoid and clip round one multiply-add at most: 2ε·(1 + |e|);
 * - softmax: L exponentials, their sum and a division, outputs ≤ 1: (L + 4)·ε;
 * - layer_norm over rows of L elements: the mean (a sum of L terms ≤ M) is off by ≲ L·ε·M, and
 *   that error is multiplied by the row's scale S = 1/√(var + eps) — large for a nearly
 *   constant row — and by the weight (≤ M); the scale's own relative error is ≲ (L + 8)·ε:
 *   (L + 2)·ε·M·M·S + (L + 8)·ε·|e|, with S the largest scale among the shard's rows.
 */
export function tolerance(id: string, ctx: KernelContext<unknown>): (e: number) => number {
  const sig = ctx.signature;
  const dtype = Object.values(sig.outputs)[0]!.dtype;
  if (dtype === "int32" || EXACT.has(id)) return () => 0;
  const eps = epsilon(dtype);
  const extent = (d: number) => ctx.index.end.coords[d]! - ctx.index.start.coords[d]!;
  const reduced = sig.reductions.reduce((p, r) => p * extent(r.dim), 1);
  switch (id) {
    case "exp":
    case "log":
    case "tanh":
    case "sigmoid":
      return (e) => 4 * eps * (1 + Math.abs(e));
    case "gelu":
    case "gelu_erf":
      return (e) => 16 * eps * (1 + Math.abs(e));
    case "gelu_erf_grad":
    case "gelu_grad":
      return (e) => 32 * eps * (1 + Math.abs(e)) * M;
    case "sign":
    case "pad":
      return () => 0;
    case "scale":
      return (e) => 2 * eps * (M + Math.abs(e));
    case "hard_sigmoid":
    case "clip":
      return (e) => 2 * eps * (1 + Math.abs(e));
    case "sum":
    case "mean":
      return (e) => reduced * eps * M + eps * Math.abs(e);
    case "matmul":
      return (e) => reduced * eps * M * M + eps * Math.abs(e);
    case "linear":
      return (e) => (reduced + 1) * eps * M * M + eps * Math.abs(e);
    case "conv2d_input_grad":
    case "conv2d_weight_grad":
      return (e) => 4 * reduced * eps * M * M * 9 + eps * Math.abs(e);
    case "conv_transpose2d":
      return (e) => reduced * eps * M * M + eps * Math.abs(e);
    case "conv2d": {
      const taps = sig.inputs.w!.projection.shape.coords;
      const k = reduced * taps[2]! * taps[3]!;
      return (e) => k * eps * M * M + eps * Math.abs(e);
    }
    case "softmax": {
      const line = Math.max(...sig.inputs.x!.projection.shape.coords);
      return () => (line + 4) * eps;
    }
    case "layer_norm": {
      const x = sig.inputs.x!;
      const block = x.shape.slice(sig.index.rank).reduce((p, s) => p * s, 1);
      const scale = largestScale(
        sliceRegion(ctx.inputs.x!, x.projection.applyRange(ctx.index)),
        block,
        ctx.params,
      );
      return (e) => (block + 2) * eps * M * M * scale + (block + 8) * eps * Math.abs(e);
    }
    default:
      throw new Error(`no tolerance for kernel ${id}`);
  }
}

/** The largest `1/√(var + eps)` over the rows of `block` consecutive values of `x`. */
function largestScale(x: Region, block: number, params: unknown): number {
  const eps = typeof params === "object" && params !== null && "eps" in params ? Number(params.eps) : 0;
  let largest = 0;
  for (let r = 0; r < x.data.length; r += block) {
    const row = Array.from(x.data.subarray(r, r + block));
    const mean = row.reduce((p, v) => p + v, 0) / block;
    const variance = row.reduce((p, v) => p + (v - mean) ** 2, 0) / block;
    largest = Math.max(largest, 1 / Math.sqrt(variance + eps));
  }
  return largest;
}

/** Expects equal ranges and dtypes, NaN where expected is NaN, and every value within `tol`. */
export function expectClose(actual: Region, expected: Region, tol: (e: number) => number): void {
  expect(actual.range.toString()).toBe(expected.range.toString());
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.data.length).toBe(expected.data.length);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      expect(Object.is(a, e) || a === e, `element ${i}: ${a}, expected ${e}`).toBe(true);
    } else if (!(Math.abs(a - e) <= tol(e))) {
      expect.fail(`element ${i}: ${a}, expected ${e} within ${tol(e)} (off by ${Math.abs(a - e)})`);
    }
  }
}

/** What one run on a backend did, besides its outputs: computed natively, or by the reference (and why). */
export interface RunReport {
  readonly out: Region;
  readonly native: boolean;
  readonly fallbacks: readonly string[];
}

/** Runs `def` on `backend` and reports, from the backend's stats, how it was computed. */
export async function runOn(
  backend: KernelBackend,
  def: AnyKernelDef,
  ctx: KernelContext<unknown>,
): Promise<RunReport> {
  const before = backend.stats().kernels[def.id];
  const result = await backend.run(def, ctx);
  const after = backend.stats().kernels[def.id]!;
  const out = result[def.outputs[0]!];
  if (out === undefined) throw new Error(`${def.id} produced no output '${def.outputs[0]}'`);
  const fallbacks = Object.entries(after.fallbacks).flatMap(([reason, n]) =>
    n > (before?.fallbacks[reason] ?? 0) ? [reason] : [],
  );
  return { out, native: after.native > (before?.native ?? 0), fallbacks };
}

/** `def` over whole `inputs` (at the origin, one shard of its whole index) on `backend`, beside the reference implementation's output. */
export async function runWhole(
  backend: KernelBackend,
  def: AnyKernelDef,
  params: unknown,
  inputs: Readonly<Record<string, Region>>,
): Promise<{ readonly backend: RunReport; readonly reference: Region }> {
  const p = place(def, { params, inputs }, rng(0), 0);
  const ctx = shardContext(p, p.signature.index);
  const report = await runOn(backend, def, ctx);
  return { backend: report, reference: def.impl(ctx).out! };
}

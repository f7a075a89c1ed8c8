/**
 * Test helpers for the kernel library: build regions, derive signatures, run a kernel whole or
 * sharded (each shard seeing only its projected inputs, partials folded with the monoid), and
 * compare results with a tolerance.
 */
import { expect } from "vitest";
import { type DType, isFloat, type TypedData } from "../../../src/base/dtype.js";
import { ValidationError } from "../../../src/base/errors.js";
import { type Issue, IssueCollector } from "../../../src/base/issue.js";
import { mulberry32 } from "../../../src/base/random.js";
import type { KernelDef } from "../../../src/kernels/kernel.js";
import { forEachPoint } from "../../../src/kernels/numeric/index-walk.js";
import { MONOID_FOLD, MONOID_IDENTITY } from "../../../src/kernels/numeric/monoid.js";
import { offsetIn, regionFromAccumulator } from "../../../src/kernels/numeric/region-access.js";
import { makeRegion, type Region, sliceRegion } from "../../../src/kernels/region.js";
import type { OperandSignature, Signature, TensorType } from "../../../src/kernels/signature.js";
import { ZPoint } from "../../../src/zspace/z-point.js";
import { type DimSplit, ZRange } from "../../../src/zspace/z-range.js";

/** A region of `dtype` and `shape` at the origin (or at `start`) holding `values` row-major. */
export function region(
  dtype: DType,
  shape: readonly number[],
  values: readonly number[],
  start?: readonly number[],
): Region {
  const range = start === undefined ? ZRange.fromShape(shape) : ZRange.fromStartShape(start, shape);
  const data =
    dtype === "float32"
      ? new Float32Array(values)
      : dtype === "float64"
        ? new Float64Array(values)
        : new Int32Array(values);
  return makeRegion(dtype, range, data);
}

/** A float64 region at the origin. */
export function f64(shape: readonly number[], values: readonly number[]): Region {
  return region("float64", shape, values);
}

/** The values of a region as a plain array. */
export function values(r: Region): number[] {
  return Array.from(r.data);
}

/** The type a signature sees for a region. */
export function typeOf(r: Region): TensorType {
  return { shape: r.range.shape.toArray(), dtype: r.dtype };
}

/** Decoded params, or a thrown ValidationError carrying the issues. */
export function decode<P>(kernel: KernelDef<P>, raw: unknown): P {
  const issues = new IssueCollector();
  const params = kernel.decodeParams(raw, issues, "/params");
  if (params === undefined || !issues.ok) throw new ValidationError(issues.issues, "params");
  return params;
}

/** Every issue decoding `raw` and deriving the signature for `inputs` records (op path `/op`). */
export function issuesOf<P>(
  kernel: KernelDef<P>,
  inputs: Readonly<Record<string, TensorType>>,
  raw: unknown = {},
): Issue[] {
  const issues = new IssueCollector();
  const params = kernel.decodeParams(raw, issues, "/op/params");
  if (params !== undefined) {
    const sig = kernel.signature(inputs, params, issues, "/op");
    if (sig === undefined && issues.ok)
      throw new Error("signature returned undefined without recording an issue");
  }
  if (params === undefined && issues.ok)
    throw new Error("decodeParams returned undefined without recording an issue");
  return [...issues.issues];
}

/** The signature for `inputs` and raw params; throws ValidationError when anything is wrong. */
export function signatureOf<P>(
  kernel: KernelDef<P>,
  inputs: Readonly<Record<string, TensorType>>,
  raw: unknown = {},
): Signature {
  const issues = new IssueCollector();
  const params = decode(kernel, raw);
  const sig = kernel.signature(inputs, params, issues, "/op");
  if (sig === undefined || !issues.ok) throw new ValidationError(issues.issues, "signature");
  return sig;
}

/** Runs a kernel over its whole index space on origin-based inputs; returns output `out`. */
export function run<P>(kernel: KernelDef<P>, raw: unknown, inputs: Readonly<Record<string, Region>>): Region {
  const types = Object.fromEntries(Object.entries(inputs).map(([k, r]) => [k, typeOf(r)]));
  const signature = signatureOf(kernel, types, raw);
  const out = kernel.impl({ params: decode(kernel, raw), signature, index: signature.index, inputs }).out;
  if (out === undefined) throw new Error("kernel produced no output 'out'");
  return out;
}

/** The signature with every operand's projection moved to where its region lives (`offsets` by name). */
export function placeSignature(
  sig: Signature,
  offsets: Readonly<Record<string, readonly number[]>>,
): Signature {
  const move = (ops: Readonly<Record<string, OperandSignature>>) =>
    Object.fromEntries(
      Object.entries(ops).map(([name, o]) => {
        const d = offsets[name];
        return [name, d === undefined ? o : { ...o, projection: o.projection.translate(ZPoint.from(d)) }];
      }),
    );
  return { ...sig, inputs: move(sig.inputs), outputs: move(sig.outputs) };
}

/** The region moved by `offset` (same data, shifted coordinates). */
export function moveRegion(r: Region, offset: readonly number[]): Region {
  return { ...r, range: r.range.translate(ZPoint.from(offset)) };
}

/** What a sharded run produced: the folded output and how many shards ran. */
export interface ShardedResult {
  readonly out: Region;
  readonly shards: number;
}

/**
 * Runs a kernel shard by shard: the index space is cut by `splits`, each shard gets only
 * (projection of its box ∩ region) of every input, its output range is checked to be exactly
 * the output projection of its box, and partial outputs fold with the reduction monoid (plain
 * writes, each element exactly once, when there is none). Operands live at `offsets` (by name)
 * to check that kernels work in absolute coordinates; the result is moved back to the origin.
 */
export function runSharded<P>(
  kernel: KernelDef<P>,
  raw: unknown,
  inputs: Readonly<Record<string, Region>>,
  splits: readonly DimSplit[],
  offsets: Readonly<Record<string, readonly number[]>> = {},
): ShardedResult {
  const types = Object.fromEntries(Object.entries(inputs).map(([k, r]) => [k, typeOf(r)]));
  const params = decode(kernel, raw);
  const sig = placeSignature(signatureOf(kernel, types, raw), offsets);
  const placed = Object.fromEntries(
    Object.entries(inputs).map(([k, r]) => [k, moveRegion(r, offsets[k] ?? zeros(r.range.rank))]),
  );
  const outSig = sig.outputs.out!;
  const outOffset = offsets.out ?? zeros(outSig.shape.length);
  const whole = ZRange.fromShape(outSig.shape).translate(ZPoint.from(outOffset));
  const monoid = sig.reductions[0]?.monoid;
  const acc = new Float64Array(whole.size).fill(monoid === undefined ? 0 : MONOID_IDENTITY[monoid]);
  const writes = new Uint8Array(whole.size);
  const boxes = sig.index.split(splits);
  for (const box of boxes) {
    const shardInputs = Object.fromEntries(
      Object.entries(placed).map(([name, r]) => {
        const need = sig.inputs[name]!.projection.applyRange(box).intersect(r.range);
        return [name, sliceRegion(r, need)];
      }),
    );
    const part = kernel.impl({ params, signature: sig, index: box, inputs: shardInputs }).out!;
    expect(part.range.equals(outSig.projection.applyRange(box)), `shard ${box} wrote ${part.range}`).toBe(
      true,
    );
    expect(part.dtype).toBe(outSig.dtype);
    forEachPoint(part.range, (p) => {
      const at = offsetIn(whole, p);
      const v = part.data[offsetIn(part.range, p)]!;
      if (monoid === undefined) {
        acc[at] = v;
        writes[at]!++;
      } else acc[at] = MONOID_FOLD[monoid](acc[at]!, v);
    });
  }
  if (monoid === undefined)
    expect(
      writes.every((w) => w === 1),
      "every output element written exactly once",
    ).toBe(true);
  const folded = regionFromAccumulator(outSig.dtype, whole, acc);
  return {
    out: moveRegion(
      folded,
      outOffset.map((v) => -v),
    ),
    shards: boxes.length,
  };
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/**
 * Expects equal ranges (or both empty), dtypes and values: exactly, or within
 * `rel·(1 + |expected|)` per element when `rel` is given (NaN equals NaN; infinities match exactly).
 */
export function expectRegionsClose(actual: Region, expected: Region, rel = 0): void {
  // Empty boxes carry no data and their position is a convention (projecting an empty index
  // range collapses every dimension), so only their emptiness is compared.
  if (expected.range.isEmpty()) expect(actual.range.isEmpty(), `${actual.range} is empty`).toBe(true);
  else expect(actual.range.toString()).toBe(expected.range.toString());
  expect(actual.dtype).toBe(expected.dtype);
  expectValuesClose(actual.data, expected.data, rel);
}

/** Elementwise closeness of two arrays as in `expectRegionsClose`. */
export function expectValuesClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e) || rel === 0) {
      expect(Object.is(a, e) || a === e, `element ${i}: ${a} vs ${e}`).toBe(true);
    } else {
      expect(Math.abs(a - e) <= rel * (1 + Math.abs(e)), `element ${i}: ${a} vs ${e}`).toBe(true);
    }
  }
}

/** A small deterministic generator (mulberry32): the same seed gives the same stream. */
export const rng: (seed: number) => () => number = mulberry32;

/** An integer in `[lo, hi]` from `next`. */
export function randInt(next: () => number, lo: number, hi: number): number {
  return lo + Math.floor(next() * (hi - lo + 1));
}

/** One of `xs`, drawn by `next`. */
export function pick<T>(next: () => number, xs: readonly T[]): T {
  return xs[Math.floor(next() * xs.length)]!;
}

/** A shape of `rank` dimensions, each in `[1, max]`. */
export function shapeOf(next: () => number, rank: number, max = 4): number[] {
  return Array.from({ length: rank }, () => randInt(next, 1, max));
}

/** Drops some leading dimensions of `shape` and sets some others to 1: a shape that broadcasts to it. */
export function broadcastable(next: () => number, shape: readonly number[]): number[] {
  return shape.slice(randInt(next, 0, shape.length)).map((s) => (next() < 0.3 ? 1 : s));
}

/** A region of random values: integers in [-5, 5] for int32, uniform in [-2, 2) for floats. */
export function randomRegion(dtype: DType, shape: readonly number[], next: () => number): Region {
  const n = shape.reduce((p, s) => p * s, 1);
  const vals = Array.from({ length: n }, () => (isFloat(dtype) ? next() * 4 - 2 : randInt(next, -5, 5)));
  return region(dtype, shape, vals);
}

/** A typed array's values rounded as `dtype` would store them. */
export function asDtype(dtype: DType, vals: readonly number[]): TypedData {
  return region(dtype, [vals.length], vals).data;
}

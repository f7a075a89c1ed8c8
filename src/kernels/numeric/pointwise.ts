import { allocate } from "../../base/dtype.js";
import { TesseraError } from "../../base/errors.js";
import type { IndexProjection } from "../../zspace/index-projection.js";
import type { ZRange } from "../../zspace/z-range.js";
import type { KernelContext } from "../kernel.js";
import type { Region } from "../region.js";
import type { Monoid } from "../signature.js";
import { MONOID_FOLD, MONOID_IDENTITY } from "./monoid.js";
import { outputRange } from "./output-range.js";

/** A scalar body: the values read from each input at one index point, in input order → one value. */
export type ScalarFn = (args: Float64Array) => number;

/**
 * A pointwise kernel body: at every index point read one element from each input through its
 * (all-ones-shaped) projection, compute one value, and write it to the output element the
 * output projection selects, folding with the reduction monoid when the signature has
 * reduction dimensions.
 */
export interface PointwiseBody {
  /** Input names, in the order `compute` receives their values. */
  readonly inputs: readonly string[];
  /** The single output written. */
  readonly output: string;
  readonly compute: ScalarFn;
}

/**
 * Runs a pointwise body over `ctx.index`, accumulating in float64 and rounding once into the
 * output dtype (int32 stores truncate toward zero and wrap like C). Elements whose projection
 * falls outside an input's region read 0. Access is affine and strided: each operand's linear
 * offset moves by a precomputed step per index dimension, so no coordinates are rebuilt per point.
 */
export function runPointwise<P>(ctx: KernelContext<P>, body: PointwiseBody): Region {
  const { signature, index } = ctx;
  const outSig = signature.outputs[body.output];
  if (outSig === undefined) throw internal(`pointwise output '${body.output}' is not in the signature`);
  const monoid = reductionMonoid(ctx);
  // Not `applyRange` alone: an empty reduction dimension still yields the full (identity) output.
  const outRange = outputRange(outSig.projection, index, signature.reductions);
  const acc = new Float64Array(outRange.size);
  if (monoid !== undefined && MONOID_IDENTITY[monoid] !== 0) acc.fill(MONOID_IDENTITY[monoid]);
  const total = index.size;
  if (total > 0) {
    const n = index.rank;
    const inputs = body.inputs.map((name) => {
      const region = ctx.inputs[name];
      const sig = signature.inputs[name];
      if (region === undefined || sig === undefined) throw internal(`pointwise input '${name}' missing`);
      return {
        region,
        access: affineAccess(sig.projection, region.range, index),
        checked: !region.range.contains(sig.projection.applyRange(index)),
      };
    });
    const outAccess = affineAccess(outSig.projection, outRange, index);
    const args = new Float64Array(inputs.length);
    const point = index.start.toArray();
    const offs = inputs.map((i) => i.access.base);
    let outOff = outAccess.base;
    const fold = monoid === undefined ? undefined : MONOID_FOLD[monoid];
    const extents = index.shape.coords;
    for (let k = 0; k < total; k++) {
      for (let j = 0; j < inputs.length; j++) {
        const inp = inputs[j]!;
        if (inp.checked && !inside(inp.access.projection, inp.region.range, point)) args[j] = 0;
        else args[j] = inp.region.data[offs[j]!]!;
      }
      const v = body.compute(args);
      acc[outOff] = fold === undefined ? v : fold(acc[outOff]!, v);
      // Odometer step over the index range, last dimension fastest.
      for (let d = n - 1; d >= 0; d--) {
        point[d]!++;
        for (let j = 0; j < offs.length; j++) offs[j]! += inputs[j]!.access.steps[d]!;
        outOff += outAccess.steps[d]!;
        if (point[d]! < index.end.coords[d]!) break;
        point[d] = index.start.coords[d]!;
        for (let j = 0; j < offs.length; j++) offs[j]! -= inputs[j]!.access.steps[d]! * extents[d]!;
        outOff -= outAccess.steps[d]! * extents[d]!;
      }
    }
  }
  const data = allocate(outSig.dtype, acc.length);
  data.set(acc);
  return { dtype: outSig.dtype, range: outRange, data };
}

/** The single monoid of the signature's reductions (undefined when there are none). */
export function reductionMonoid<P>(ctx: KernelContext<P>): Monoid | undefined {
  const rs = ctx.signature.reductions;
  const first = rs[0];
  if (first === undefined) return undefined;
  if (rs.some((r) => r.monoid !== first.monoid))
    throw internal("pointwise kernels fold all reductions with one monoid");
  return first.monoid;
}

interface AffineAccess {
  readonly projection: IndexProjection;
  /** Linear offset of the box origin of `index.start` in the region's buffer. */
  readonly base: number;
  /** Linear offset change per unit step of each index dimension. */
  readonly steps: number[];
}

/** Precomputes strided access of a region through a projection over an index range. */
export function affineAccess(projection: IndexProjection, region: ZRange, index: ZRange): AffineAccess {
  const strides = region.strides();
  const A = projection.map.matrix;
  const b = projection.map.offset.coords;
  const rs = region.start.coords;
  const is = index.start.coords;
  const steps = new Array<number>(index.rank).fill(0);
  let base = 0;
  for (let r = 0; r < A.length; r++) {
    const row = A[r]!;
    let coord = b[r]! - rs[r]!;
    for (let d = 0; d < row.length; d++) {
      coord += row[d]! * is[d]!;
      steps[d]! += strides[r]! * row[d]!;
    }
    base += strides[r]! * coord;
  }
  return { projection, base, steps };
}

function inside(projection: IndexProjection, region: ZRange, point: readonly number[]): boolean {
  const A = projection.map.matrix;
  const b = projection.map.offset.coords;
  const s = region.start.coords;
  const e = region.end.coords;
  for (let r = 0; r < A.length; r++) {
    const row = A[r]!;
    let c = b[r]!;
    for (let d = 0; d < row.length; d++) c += row[d]! * point[d]!;
    if (c < s[r]! || c >= e[r]!) return false;
  }
  return true;
}

function internal(msg: string): Error {
  return new TesseraError("invalid_declaration", `internal: ${msg}`);
}

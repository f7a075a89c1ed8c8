import type { IssueCollector } from "../../base/issue.js";
import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZPoint } from "../../zspace/z-point.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { forEachPoint } from "../numeric/index-walk.js";
import { offsetIn, projectOrigin, readOrZero, regionFromAccumulator } from "../numeric/region-access.js";
import { ANY_DTYPE, commonDtype, formatShape, paramPath, requireInput } from "./operands.js";
import { ParamReader } from "./param-reader.js";

/** Params of reshape. */
export interface ReshapeParams {
  /** The new shape, row-major; at most one entry may be -1 (inferred from the element count). */
  readonly shape: readonly number[];
}

/** Why reshape cannot be sharded, as its signature declares it. */
export const RESHAPE_UNSHARDABLE =
  "reshape is not an affine projection: an output element's position in x depends on its row-major linear index, so a box of outputs does not read a box of x";

/**
 * The reshape signature: index = the new shape, identity onto the output; every index point
 * reads the whole of x (a constant projection with x's shape), and the signature is declared
 * unshardable because no affine map relates output and input positions.
 */
export const reshapeSignature: SignatureFn<ReshapeParams> = (inputs, params, issues, path) => {
  const x = requireInput(inputs, "x", "reshape", issues, path);
  if (x === undefined) return undefined;
  const dtype = commonDtype([["x", x]], ANY_DTYPE, "reshape", issues, path);
  const shape = resolveShape(x.shape, params.shape, issues, path);
  if (dtype === undefined || shape === undefined) return undefined;
  const n = shape.length;
  return {
    index: ZRange.fromShape(shape),
    indexNames: shape.map((_, i) => `d${i}`),
    inputs: {
      x: {
        shape: x.shape.slice(),
        dtype,
        projection: IndexProjection.of(ZAffineMap.constant(ZPoint.zeros(x.shape.length), n), x.shape),
      },
    },
    outputs: { out: { shape, dtype, projection: IndexProjection.identity(n) } },
    reductions: [],
    unshardable: RESHAPE_UNSHARDABLE,
  };
};

function resolveShape(
  xShape: readonly number[],
  wanted: readonly number[],
  issues: IssueCollector,
  path: string,
): number[] | undefined {
  const count = xShape.reduce((p, s) => p * s, 1);
  const hole = wanted.indexOf(-1);
  const known = wanted.reduce((p, s) => (s === -1 ? p : p * s), 1);
  const shape = wanted.slice();
  if (hole >= 0) {
    if (known === 0 || count % known !== 0) {
      const why =
        known === 0
          ? "the other entries have product 0, so any size fits"
          : `${count} is not a multiple of ${known}`;
      issues.add(
        known === 0 ? "invalid_param" : "shape_mismatch",
        paramPath(path, "shape", hole),
        `cannot infer the -1 entry of \`shape\` ${formatShape(wanted)} for input x of shape ${formatShape(xShape)}: ${why}`,
        { param: "shape", found: wanted.slice(), elements: count },
      );
      return undefined;
    }
    shape[hole] = count / known;
  } else if (known !== count) {
    issues.add(
      "shape_mismatch",
      paramPath(path, "shape"),
      `cannot reshape input x of shape ${formatShape(xShape)} (${count} elements) into ${formatShape(wanted)} (${known} elements)`,
      { param: "shape", expected: count, found: known },
    );
    return undefined;
  }
  return shape;
}

/**
 * Row-major reshape (numpy `reshape`). Unshardable, but it evaluates any sub-range of its index
 * space correctly as long as x is given whole: each output element finds its x element through
 * its linear index.
 */
export const RESHAPE_KERNEL: KernelDef<ReshapeParams> = {
  id: "reshape",
  summary: "row-major reshape of x (one entry may be -1); declared unshardable",
  inputs: ["x"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) => {
    const r = ParamReader.open(raw, "reshape", ["shape"], issues, path);
    if (r === undefined) return undefined;
    const shape = r.intList("shape", undefined, -1);
    const holes = shape.flatMap((s, i) => (s === -1 ? [i] : []));
    for (const i of holes.slice(1)) {
      r.fail(
        "shape",
        `\`shape\` may have only one -1 entry; \`shape[${i}]\` is another`,
        { param: "shape", entry: i },
        i,
      );
    }
    return r.done({ shape });
  },
  signature: reshapeSignature,
  impl: (ctx) => {
    const sig = ctx.signature;
    const xSig = sig.inputs.x!;
    const outSig = sig.outputs.out!;
    const x = ctx.inputs.x!;
    const outRange = outSig.projection.applyRange(ctx.index);
    const acc = new Float64Array(outRange.size);
    const xOrigin = xSig.projection.map.offset.coords;
    const xShape = xSig.projection.shape.coords;
    const indexStrides = sig.index.strides();
    const indexStart = sig.index.start.coords;
    const xAt = new Array<number>(xShape.length).fill(0);
    const outAt: number[] = [];
    forEachPoint(ctx.index, (p) => {
      let linear = 0;
      for (let d = 0; d < p.length; d++) linear += (p[d]! - indexStart[d]!) * indexStrides[d]!;
      for (let d = xShape.length - 1; d >= 0; d--) {
        xAt[d] = xOrigin[d]! + (linear % xShape[d]!);
        linear = Math.floor(linear / xShape[d]!);
      }
      acc[offsetIn(outRange, projectOrigin(outSig.projection, p, outAt))] = readOrZero(x, xAt);
    });
    return { out: regionFromAccumulator(outSig.dtype, outRange, acc) };
  },
};

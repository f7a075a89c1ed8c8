import type { DType } from "../../base/dtype.js";
import type { IssueCollector } from "../../base/issue.js";
import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, ParamsDecoder, SignatureFn } from "../kernel.js";
import { runPointwise } from "../numeric/pointwise.js";
import type { Monoid, Signature } from "../signature.js";
import { resolveAxis } from "./axes.js";
import {
  ANY_DTYPE,
  commonDtype,
  FLOAT_DTYPES,
  inputPath,
  paramPath,
  requireInput,
  unitRow,
  zeroRow,
} from "./operands.js";
import { ParamReader } from "./param-reader.js";

/** Params of the reductions sum, max, min and mean. */
export interface ReduceParams {
  /** Dimensions to reduce, negatives counting from the end; absent means every dimension. */
  readonly dims?: readonly number[];
  /** Keep each reduced dimension as size 1 (numpy `keepdims`); default false. */
  readonly keepdims: boolean;
}

/** The four reductions. */
export type ReduceKind = "sum" | "max" | "min" | "mean";

const MONOID_OF: Readonly<Record<ReduceKind, Monoid>> = { sum: "sum", max: "max", min: "min", mean: "sum" };

/** Decodes `{dims?: int[], keepdims?: boolean}`. */
export function decodeReduceParams(kernelId: ReduceKind): ParamsDecoder<ReduceParams> {
  return (raw, issues, path) => {
    const r = ParamReader.open(raw, kernelId, ["dims", "keepdims"], issues, path);
    if (r === undefined) return undefined;
    const keepdims = r.bool("keepdims", false);
    return r.done(r.has("dims") ? { dims: r.intList("dims", undefined), keepdims } : { keepdims });
  };
}

/**
 * The signature of a reduction: the index space is the input's shape, identity-projected onto
 * `x`; the reduced dimensions are reductions with the kind's monoid (mean sums `x / N`), and the
 * output projection drops them (or, with `keepdims`, pins them to 0 with a zero row).
 *
 * Example: `sum` over `dims: [1]` of `x [4, 6]` → index `[4, 6]`, reduction dim 1, output `[4]`
 * through `(i, j) ↦ (i)`.
 */
export function reduceSignature(kind: ReduceKind): SignatureFn<ReduceParams> {
  return (inputs, params, issues, path) => {
    const x = requireInput(inputs, "x", kind, issues, path);
    if (x === undefined) return undefined;
    const dtype = commonDtype([["x", x]], kind === "mean" ? FLOAT_DTYPES : ANY_DTYPE, kind, issues, path);
    const rank = x.shape.length;
    const dims = reducedDims(params.dims, rank, issues, path);
    if (dtype === undefined || dims === undefined) return undefined;
    if (kind !== "sum") {
      // max and min have no identity in the values' domain and a mean over nothing is 0/0.
      for (const d of dims) {
        if (x.shape[d] !== 0) continue;
        issues.add(
          "shape_mismatch",
          inputPath(path, "x"),
          `cannot take ${kind} over input x dimension ${d}, which has size 0 (the result of an empty ${kind} is undefined)`,
          { input: "x", dim: d, found: 0 },
        );
        return undefined;
      }
    }
    return buildSignature(x.shape, dtype, dims, params.keepdims, MONOID_OF[kind]);
  };
}

function reducedDims(
  dims: readonly number[] | undefined,
  rank: number,
  issues: IssueCollector,
  path: string,
): number[] | undefined {
  if (dims === undefined) return Array.from({ length: rank }, (_, i) => i);
  const out: number[] = [];
  let ok = true;
  dims.forEach((d, i) => {
    const resolved = resolveAxis(d, rank, "dims", i, "x", issues, path);
    if (resolved === undefined) {
      ok = false;
      return;
    }
    const j = out.indexOf(resolved);
    if (j >= 0) {
      ok = false;
      issues.add(
        "invalid_param",
        paramPath(path, "dims", i),
        `\`dims[${i}]\` = ${d} names dimension ${resolved} of input x again (already named by \`dims[${j}]\`)`,
        { param: "dims", entry: i, found: d, dim: resolved },
      );
    }
    out.push(resolved);
  });
  return ok ? [...out].sort((p, q) => p - q) : undefined;
}

function buildSignature(
  shape: readonly number[],
  dtype: DType,
  dims: readonly number[],
  keepdims: boolean,
  monoid: Monoid,
): Signature {
  const rank = shape.length;
  const rows: number[][] = [];
  const outShape: number[] = [];
  shape.forEach((size, d) => {
    if (!dims.includes(d)) {
      rows.push(unitRow(d, rank));
      outShape.push(size);
    } else if (keepdims) {
      rows.push(zeroRow(rank));
      outShape.push(1);
    }
  });
  return {
    index: ZRange.fromShape(shape),
    indexNames: shape.map((_, i) => `d${i}`),
    inputs: { x: { shape: shape.slice(), dtype, projection: IndexProjection.identity(rank) } },
    outputs: {
      out: {
        shape: outShape,
        dtype,
        projection: IndexProjection.pointwise(ZAffineMap.fromMatrix(rows, undefined, rank)),
      },
    },
    reductions: dims.map((dim) => ({ dim, monoid })),
  };
}

function reduceKernel(kind: ReduceKind, summary: string): KernelDef<ReduceParams> {
  return {
    id: kind,
    summary,
    inputs: ["x"],
    outputs: ["out"],
    decodeParams: decodeReduceParams(kind),
    signature: reduceSignature(kind),
    impl: (ctx) => {
      if (kind !== "mean")
        return { out: runPointwise(ctx, { inputs: ["x"], output: "out", compute: (v) => v[0]! }) };
      // Every shard divides by the full count, so partial means sum to the mean.
      const full = ctx.signature.index.shape.coords;
      const count = ctx.signature.reductions.reduce((p, r) => p * full[r.dim]!, 1);
      return { out: runPointwise(ctx, { inputs: ["x"], output: "out", compute: (v) => v[0]! / count }) };
    },
  };
}

/** Sum over chosen dimensions (int32 wraps mod 2^32). */
export const SUM_KERNEL = reduceKernel("sum", "sum of x over chosen dimensions (keepdims optional)");

/** Maximum over chosen dimensions; NaN wins. */
export const MAX_KERNEL = reduceKernel("max", "maximum of x over chosen dimensions (keepdims optional)");

/** Minimum over chosen dimensions; NaN wins. */
export const MIN_KERNEL = reduceKernel("min", "minimum of x over chosen dimensions (keepdims optional)");

/** Arithmetic mean over chosen dimensions (float dtypes only). */
export const MEAN_KERNEL = reduceKernel("mean", "mean of x over chosen dimensions (keepdims optional)");

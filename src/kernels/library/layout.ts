import type { IssueCollector } from "../../base/issue.js";
import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelContext, KernelDef, SignatureFn } from "../kernel.js";
import { runPointwise } from "../numeric/pointwise.js";
import type { Region } from "../region.js";
import type { Signature, TensorType } from "../signature.js";
import { resolveAxis, sliceBound } from "./axes.js";
import { broadcastRows } from "./broadcast.js";
import {
  ANY_DTYPE,
  checkParamLengths,
  commonDtype,
  formatShape,
  inputPath,
  paramPath,
  requireInput,
  unitRow,
} from "./operands.js";
import { decodeNoParams, type NoParams, ParamReader } from "./param-reader.js";

/** Params of transpose. */
export interface TransposeParams {
  /** Output dimension `i` is input dimension `perm[i]` (negatives allowed); absent reverses the dimensions. */
  readonly perm?: readonly number[];
}

/** Params of slice: per-dimension `start:end:step` of x, numpy style. */
export interface SliceParams {
  /** First element taken per dimension; negatives count from the end; clamped to the extent. */
  readonly start: readonly number[];
  /** One past the last element per dimension; negatives count from the end; clamped to the extent. */
  readonly end: readonly number[];
  /** Positive step per dimension; default all 1. */
  readonly step: readonly number[];
}

/** Params of broadcast_to. */
export interface BroadcastToParams {
  /** The target shape; x broadcasts to it by numpy rules. */
  readonly shape: readonly number[];
}

/** Params of copy: none. */
export type CopyParams = NoParams;

/** A layout operation's signature: index = output shape, identity onto the output, `xRows` + `xOffset` onto x. */
function layoutSignature(
  x: TensorType,
  outShape: readonly number[],
  xRows: number[][],
  xOffset?: readonly number[],
): Signature {
  const n = outShape.length;
  return {
    index: ZRange.fromShape(outShape),
    indexNames: outShape.map((_, i) => `d${i}`),
    inputs: {
      x: {
        shape: x.shape.slice(),
        dtype: x.dtype,
        projection: IndexProjection.pointwise(ZAffineMap.fromMatrix(xRows, xOffset, n)),
      },
    },
    outputs: { out: { shape: outShape.slice(), dtype: x.dtype, projection: IndexProjection.identity(n) } },
    reductions: [],
  };
}

/** The input (checked to have an accepted dtype), or undefined after recording issues. */
function layoutInput(
  inputs: Readonly<Record<string, TensorType>>,
  kernelId: string,
  issues: IssueCollector,
  path: string,
): TensorType | undefined {
  const x = requireInput(inputs, "x", kernelId, issues, path);
  if (x === undefined) return undefined;
  return commonDtype([["x", x]], ANY_DTYPE, kernelId, issues, path) === undefined ? undefined : x;
}

/** The body of every layout kernel: each output element is the x element its projection selects. */
function copyImpl<P>(ctx: KernelContext<P>): Record<string, Region> {
  return { out: runPointwise(ctx, { inputs: ["x"], output: "out", compute: (v) => v[0]! }) };
}

/**
 * Transpose: output dimension `i` is input dimension `perm[i]`, so x is read through the inverse
 * permutation. Example: `perm: [2, 0, 1]` of `x [2, 3, 4]` → out `[4, 2, 3]`, x read through
 * `(i, j, k) ↦ (j, k, i)`.
 */
export const transposeSignature: SignatureFn<TransposeParams> = (inputs, params, issues, path) => {
  const x = layoutInput(inputs, "transpose", issues, path);
  if (x === undefined) return undefined;
  const rank = x.shape.length;
  const raw = params.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (raw.length !== rank) {
    issues.add(
      "rank_mismatch",
      paramPath(path, "perm"),
      `\`perm\` has ${raw.length} entries but input x has rank ${rank}`,
      {
        param: "perm",
        expected: rank,
        found: raw.length,
      },
    );
    return undefined;
  }
  const perm: number[] = [];
  let ok = true;
  raw.forEach((p, i) => {
    const d = resolveAxis(p, rank, "perm", i, "x", issues, path);
    if (d === undefined) ok = false;
    else if (perm.includes(d)) {
      ok = false;
      issues.add(
        "invalid_param",
        paramPath(path, "perm", i),
        `\`perm\` = [${raw.join(", ")}] is not a permutation of 0..${rank - 1}: dimension ${d} appears again at \`perm[${i}]\``,
        { param: "perm", entry: i, found: p },
      );
    }
    perm.push(d ?? -1);
  });
  if (!ok) return undefined;
  const rows = x.shape.map((_, j) => unitRow(perm.indexOf(j), rank));
  return layoutSignature(
    x,
    perm.map((p) => x.shape[p]!),
    rows,
  );
};

/**
 * Slice `x[start:end:step]` per dimension (numpy semantics for a positive step: negative bounds
 * count from the end, bounds clamp to the extent). Index point `i` reads `start + step·i`.
 * Example: `start [1], end [8], step [3]` of `x [10]` → out `[3]` reading x at 1, 4, 7.
 */
export const sliceSignature: SignatureFn<SliceParams> = (inputs, params, issues, path) => {
  const x = layoutInput(inputs, "slice", issues, path);
  if (x === undefined) return undefined;
  const rank = x.shape.length;
  const ok = checkParamLengths(params, ["start", "end", "step"], rank, issues, path);
  if (!ok) return undefined;
  const begin: number[] = [];
  const outShape: number[] = [];
  x.shape.forEach((size, d) => {
    const s = sliceBound(params.start[d]!, size);
    const e = sliceBound(params.end[d]!, size);
    const step = params.step[d]!;
    begin.push(s);
    outShape.push(e > s ? Math.ceil((e - s) / step) : 0);
  });
  const rows = x.shape.map((_, d) => {
    const row = unitRow(d, rank);
    row[d] = params.step[d]!;
    return row;
  });
  return layoutSignature(x, outShape, rows, begin);
};

function decodeSliceParams(raw: unknown, issues: IssueCollector, path: string): SliceParams | undefined {
  const r = ParamReader.open(raw, "slice", ["start", "end", "step"], issues, path);
  if (r === undefined) return undefined;
  const start = r.intList("start", undefined);
  const end = r.intList("end", undefined);
  const step = r.intList(
    "step",
    start.map(() => 1),
    1,
  );
  for (const [key, list] of [
    ["end", end],
    ["step", step],
  ] as const) {
    if (list.length !== start.length) {
      r.fail(key, `\`${key}\` has ${list.length} entries but \`start\` has ${start.length}`, {
        param: key,
        expected: start.length,
        found: list.length,
      });
    }
  }
  return r.done({ start, end, step });
}

/**
 * broadcast_to: numpy broadcasting of x to `shape` (x right-aligned; each dimension equal or 1).
 * Example: `x [3, 1]` to `[2, 3, 4]` → x read through `(i, j, k) ↦ (j, 0)`.
 */
export const broadcastToSignature: SignatureFn<BroadcastToParams> = (inputs, params, issues, path) => {
  const x = layoutInput(inputs, "broadcast_to", issues, path);
  if (x === undefined) return undefined;
  const target = params.shape;
  const lead = target.length - x.shape.length;
  if (lead < 0) {
    issues.add(
      "rank_mismatch",
      inputPath(path, "x"),
      `input x of rank ${x.shape.length} (shape ${formatShape(x.shape)}) cannot broadcast to the lower-rank shape ${formatShape(target)}`,
      { input: "x", expected: target.length, found: x.shape.length },
    );
    return undefined;
  }
  let ok = true;
  x.shape.forEach((size, d) => {
    const want = target[lead + d]!;
    if (size === want || size === 1) return;
    ok = false;
    issues.add(
      "shape_mismatch",
      inputPath(path, "x"),
      `input x dimension ${d} (size ${size}) cannot broadcast to dimension ${lead + d} (size ${want}) of the target shape ${formatShape(target)}: sizes must be equal or x's 1`,
      { input: "x", dim: d, expected: want, found: size },
    );
  });
  if (!ok) return undefined;
  return layoutSignature(x, target, broadcastRows(x.shape, target, target.length));
};

/** copy: the identity, shape for shape (the builder expresses concat as copies into output selections). */
export const copySignature: SignatureFn<CopyParams> = (inputs, _params, issues, path) => {
  const x = layoutInput(inputs, "copy", issues, path);
  if (x === undefined) return undefined;
  const rank = x.shape.length;
  return layoutSignature(
    x,
    x.shape,
    x.shape.map((_, d) => unitRow(d, rank)),
  );
};

/** Permutes the dimensions of x (numpy `transpose`); without `perm`, reverses them. */
export const TRANSPOSE_KERNEL: KernelDef<TransposeParams> = {
  id: "transpose",
  summary: "permute the dimensions of x (reverse them when perm is absent)",
  inputs: ["x"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) => {
    const r = ParamReader.open(raw, "transpose", ["perm"], issues, path);
    if (r === undefined) return undefined;
    return r.done(r.has("perm") ? { perm: r.intList("perm", undefined) } : {});
  },
  signature: transposeSignature,
  impl: copyImpl,
};

/** A strided box of x: `x[start:end:step]` per dimension. */
export const SLICE_KERNEL: KernelDef<SliceParams> = {
  id: "slice",
  summary: "strided sub-box x[start:end:step] of x (numpy semantics, positive steps)",
  inputs: ["x"],
  outputs: ["out"],
  decodeParams: decodeSliceParams,
  signature: sliceSignature,
  impl: copyImpl,
};

/** x broadcast to a target shape by numpy rules. */
export const BROADCAST_TO_KERNEL: KernelDef<BroadcastToParams> = {
  id: "broadcast_to",
  summary: "x broadcast to a target shape (numpy rules)",
  inputs: ["x"],
  outputs: ["out"],
  decodeParams: (raw, issues, path) => {
    const r = ParamReader.open(raw, "broadcast_to", ["shape"], issues, path);
    return r?.done({ shape: r.intList("shape", undefined, 0) });
  },
  signature: broadcastToSignature,
  impl: copyImpl,
};

/** The identity on x, element for element. */
export const COPY_KERNEL: KernelDef<CopyParams> = {
  id: "copy",
  summary: "copy of x (identity; concat is built from copies into output selections)",
  inputs: ["x"],
  outputs: ["out"],
  decodeParams: decodeNoParams("copy"),
  signature: copySignature,
  impl: copyImpl,
};

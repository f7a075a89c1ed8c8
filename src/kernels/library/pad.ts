import type { IssueCollector } from "../../base/issue.js";
import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { runPointwise } from "../numeric/pointwise.js";
import { ANY_DTYPE, checkParamLengths, commonDtype, requireInput, unitRow } from "./operands.js";
import { ParamReader } from "./param-reader.js";

/** Params of pad: zeros added before and after x along each dimension. */
export interface PadParams {
  /** Zeros before x per dimension, each at least 0. */
  readonly before: readonly number[];
  /** Zeros after x per dimension, each at least 0; default all 0. */
  readonly after: readonly number[];
}

/**
 * The pad signature: index = the padded shape, identity onto the output; x is read at
 * `i − before`, so index points in the margins read past x, which reads zero. Example:
 * `before [1], after [2]` of `x [3]` → out `[6]`, x read through `(i) ↦ (i − 1)`.
 */
export const padSignature: SignatureFn<PadParams> = (inputs, params, issues, path) => {
  const x = requireInput(inputs, "x", "pad", issues, path);
  if (x === undefined) return undefined;
  const dtype = commonDtype([["x", x]], ANY_DTYPE, "pad", issues, path);
  const rank = x.shape.length;
  const ok = checkParamLengths(params, ["before", "after"], rank, issues, path) && dtype !== undefined;
  if (!ok || dtype === undefined) return undefined;
  const shape = x.shape.map((s, d) => params.before[d]! + s + params.after[d]!);
  const rows = x.shape.map((_, d) => unitRow(d, rank));
  // `0 - b`, not `-b`: a negated zero would make -0 offsets that compare unequal to 0.
  const offset = params.before.map((b) => 0 - b);
  return {
    index: ZRange.fromShape(shape),
    indexNames: shape.map((_, i) => `d${i}`),
    inputs: {
      x: {
        shape: x.shape.slice(),
        dtype,
        projection: IndexProjection.pointwise(ZAffineMap.fromMatrix(rows, offset, rank)),
      },
    },
    outputs: { out: { shape, dtype, projection: IndexProjection.identity(rank) } },
    reductions: [],
  };
};

function decodePadParams(raw: unknown, issues: IssueCollector, path: string): PadParams | undefined {
  const r = ParamReader.open(raw, "pad", ["before", "after"], issues, path);
  if (r === undefined) return undefined;
  const before = r.intList("before", undefined, 0);
  const after = r.intList(
    "after",
    before.map(() => 0),
    0,
  );
  if (after.length !== before.length) {
    r.fail("after", `\`after\` has ${after.length} entries but \`before\` has ${before.length}`, {
      param: "after",
      expected: before.length,
      found: after.length,
    });
  }
  return r.done({ before, after });
}

/** Zero padding of x: `before[d]` zeros before and `after[d]` after it along each dimension d. */
export const PAD_KERNEL: KernelDef<PadParams> = {
  id: "pad",
  summary: "x with zeros added before and after it along each dimension",
  inputs: ["x"],
  outputs: ["out"],
  decodeParams: decodePadParams,
  signature: padSignature,
  impl: (ctx) => ({ out: runPointwise(ctx, { inputs: ["x"], output: "out", compute: (v) => v[0]! }) }),
};

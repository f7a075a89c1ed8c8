import { IndexProjection } from "../../zspace/index-projection.js";
import { ZAffineMap } from "../../zspace/z-affine-map.js";
import { ZRange } from "../../zspace/z-range.js";
import type { KernelDef, SignatureFn } from "../kernel.js";
import { runPointwise, type ScalarFn } from "../numeric/pointwise.js";
import { broadcastRows, broadcastShapes } from "./broadcast.js";
import { ANY_DTYPE, commonDtype, requireInput } from "./operands.js";
import { decodeNoParams, type NoParams } from "./param-reader.js";

/** Params of the binary elementwise kernels: none. */
export type BinaryParams = NoParams;

/**
 * The signature shared by binary elementwise kernels: numpy broadcasting of `a` and `b`; the
 * index space is the broadcast shape, and a size-1 dimension stretched to another size gets a
 * zero row in its operand's projection. Example: `a [2, 3]`, `b [3]` → index `[2, 3]`, `b` read
 * through `(i, j) ↦ (j)`.
 */
export function binarySignature(kernelId: string): SignatureFn<BinaryParams> {
  return (inputs, _params, issues, path) => {
    const a = requireInput(inputs, "a", kernelId, issues, path);
    const b = requireInput(inputs, "b", kernelId, issues, path);
    if (a === undefined || b === undefined) return undefined;
    const dtype = commonDtype(
      [
        ["a", a],
        ["b", b],
      ],
      ANY_DTYPE,
      kernelId,
      issues,
      path,
    );
    const shape = broadcastShapes(
      [
        { name: "a", shape: a.shape },
        { name: "b", shape: b.shape },
      ],
      issues,
      path,
    );
    if (dtype === undefined || shape === undefined) return undefined;
    const n = shape.length;
    const read = (s: readonly number[]) =>
      IndexProjection.pointwise(ZAffineMap.fromMatrix(broadcastRows(s, shape, n), undefined, n));
    return {
      index: ZRange.fromShape(shape),
      indexNames: shape.map((_, i) => `d${i}`),
      inputs: {
        a: { shape: a.shape.slice(), dtype, projection: read(a.shape) },
        b: { shape: b.shape.slice(), dtype, projection: read(b.shape) },
      },
      outputs: { out: { shape, dtype, projection: IndexProjection.identity(n) } },
      reductions: [],
    };
  };
}

function binaryKernel(id: string, summary: string, real: ScalarFn, int32: ScalarFn): KernelDef<BinaryParams> {
  return {
    id,
    summary,
    inputs: ["a", "b"],
    outputs: ["out"],
    decodeParams: decodeNoParams(id),
    signature: binarySignature(id),
    impl: (ctx) => {
      const isInt = ctx.signature.outputs.out?.dtype === "int32";
      return { out: runPointwise(ctx, { inputs: ["a", "b"], output: "out", compute: isInt ? int32 : real }) };
    },
  };
}

// int32 results are stored through Int32Array, which wraps mod 2^32 like C; sums and
// differences of int32 values are exact in float64 before that, but products need Math.imul
// because a true product can exceed 2^53 and lose the low bits the wrap keeps.
const add: ScalarFn = (x) => x[0]! + x[1]!;
const sub: ScalarFn = (x) => x[0]! - x[1]!;
const mul: ScalarFn = (x) => x[0]! * x[1]!;
const imul: ScalarFn = (x) => Math.imul(x[0]!, x[1]!);
const div: ScalarFn = (x) => x[0]! / x[1]!;
// The int32 store truncates toward zero (C division); x / 0 stores 0, as numpy's integer division does.
const idiv: ScalarFn = (x) => Math.trunc(x[0]! / x[1]!);
// Math.max/min propagate NaN, as numpy's maximum/minimum do.
const max: ScalarFn = (x) => Math.max(x[0]!, x[1]!);
const min: ScalarFn = (x) => Math.min(x[0]!, x[1]!);

/** `out = a + b` with numpy broadcasting. */
export const ADD_KERNEL = binaryKernel("add", "elementwise a + b with numpy broadcasting", add, add);

/** `out = a - b` with numpy broadcasting. */
export const SUB_KERNEL = binaryKernel("sub", "elementwise a - b with numpy broadcasting", sub, sub);

/** `out = a · b` with numpy broadcasting (int32 wraps mod 2^32). */
export const MUL_KERNEL = binaryKernel("mul", "elementwise a · b with numpy broadcasting", mul, imul);

/** `out = a / b` with numpy broadcasting; int32 truncates toward zero and x / 0 is 0. */
export const DIV_KERNEL = binaryKernel(
  "div",
  "elementwise a / b with numpy broadcasting (int32 truncates)",
  div,
  idiv,
);

/** `out = max(a, b)` elementwise with numpy broadcasting; NaN wins. */
export const MAXIMUM_KERNEL = binaryKernel(
  "maximum",
  "elementwise max(a, b) with numpy broadcasting",
  max,
  max,
);

/** `out = min(a, b)` elementwise with numpy broadcasting; NaN wins. */
export const MINIMUM_KERNEL = binaryKernel(
  "minimum",
  "elementwise min(a, b) with numpy broadcasting",
  min,
  min,
);

import { describe, expect, test } from "vitest";
import type { DType, TypedData } from "../../../src/base/dtype.js";
import { IssueCollector } from "../../../src/base/issue.js";
import { UNARY_DECLARATIONS, UNARY_KERNELS, type UnaryKernelId } from "../../../src/kernels/library/unary.js";
import { erf } from "../../../src/kernels/numeric/erf.js";
import { ZRange } from "../../../src/zspace/index.js";
import { runKernel } from "./run-kernel.js";

const gelu = (x: number): number =>
  0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const REFERENCE: Readonly<Record<UnaryKernelId, (x: number) => number>> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  relu: (x) => Math.max(x, 0),
  gelu,
  // Checked against tabulated erf values in test/kernels/numeric/erf.test.ts.
  gelu_erf: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  // The defaults: alpha 0.2, beta 0.5; and float32's extremes as bounds.
  hard_sigmoid: (x) => Math.max(0, Math.min(1, 0.2 * x + 0.5)),
  clip: (x) => x,
  tanh: Math.tanh,
  sign: (x) => Math.sign(x) + 0,
};

const VALUES = [-3.5, -1, -0.25, 0, 0.5, 1, 2.75, 10];
const POSITIVE = [0.001, 0.25, 1, 2, 9, 100];

function apply(id: UnaryKernelId, dtype: DType, data: TypedData, shape: number[] = [data.length]): TypedData {
  return runKernel(UNARY_KERNELS[id], { x: { shape, dtype, data } }).out!.data;
}

describe("unary kernels are declarations compiled by declaredKernel", () => {
  test.each(Object.keys(REFERENCE) as UnaryKernelId[])("%s matches Math in float64", (id) => {
    const xs = id === "log" || id === "sqrt" ? POSITIVE : VALUES;
    const got = Array.from(apply(id, "float64", Float64Array.from(xs)));
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(REFERENCE[id](xs[i]!), 14);
    });
  });

  test.each(Object.keys(REFERENCE) as UnaryKernelId[])("%s rounds once into float32", (id) => {
    const xs = Float32Array.from(id === "log" || id === "sqrt" ? POSITIVE : VALUES);
    const got = apply(id, "float32", xs);
    expect(got).toBeInstanceOf(Float32Array);
    Array.from(got).forEach((v, i) => {
      expect(v).toBe(Math.fround(REFERENCE[id](xs[i]!)));
    });
  });

  test("neg, abs and relu accept int32", () => {
    const xs = Int32Array.of(-7, -1, 0, 3, 2147483647);
    expect(Array.from(apply("neg", "int32", xs))).toEqual([7, 1, 0, -3, -2147483647]);
    expect(Array.from(apply("abs", "int32", xs))).toEqual([7, 1, 0, 3, 2147483647]);
    expect(Array.from(apply("relu", "int32", xs))).toEqual([0, 0, 0, 3, 2147483647]);
    expect(apply("relu", "int32", xs)).toBeInstanceOf(Int32Array);
  });

  test("the float-only kernels reject int32", () => {
    for (const id of ["exp", "log", "sqrt", "gelu", "sigmoid", "tanh"] as const) {
      const issues = new IssueCollector();
      UNARY_KERNELS[id].signature({ x: { shape: [2], dtype: "int32" } }, {}, issues, "");
      expect(issues.issues.map((i) => i.code)).toEqual(["dtype_mismatch"]);
    }
  });

  test("any rank works, the scalar included: the group $s... takes every dimension", () => {
    const data = Float64Array.from({ length: 24 }, (_, i) => i - 12);
    expect(Array.from(apply("relu", "float64", data, [2, 3, 4]))).toEqual(
      Array.from(data, (v) => Math.max(v, 0)),
    );
    const scalar = runKernel(UNARY_KERNELS.neg, {
      x: { shape: [], dtype: "float64", data: Float64Array.of(2) },
    }).out!;
    expect(scalar.range.equals(ZRange.scalar())).toBe(true);
    expect(Array.from(scalar.data)).toEqual([-2]);
  });

  test("signatures: identity projections, no reductions, output typed like the input", () => {
    const issues = new IssueCollector();
    const sig = UNARY_KERNELS.gelu.signature({ x: { shape: [5, 7], dtype: "float32" } }, {}, issues, "")!;
    expect(sig.indexNames).toEqual(["d0", "d1"]);
    expect(sig.reductions).toEqual([]);
    expect(sig.outputs.out!.shape).toEqual([5, 7]);
    expect(sig.outputs.out!.dtype).toBe("float32");
    expect(sig.inputs.x!.projection.map.isIdentity()).toBe(true);
    expect(sig.outputs.out!.projection.map.isIdentity()).toBe(true);
  });

  test("a shard computes exactly its block", () => {
    const data = Float64Array.from({ length: 12 }, (_, i) => i / 4 - 1);
    const shard = ZRange.fromBounds([1, 1], [3, 3]);
    const part = runKernel(UNARY_KERNELS.tanh, { x: { shape: [3, 4], dtype: "float64", data } }, {}, shard)
      .out!;
    expect(part.range.equals(shard)).toBe(true);
    expect(Array.from(part.data)).toEqual([5, 6, 9, 10].map((i) => Math.tanh(data[i]!)));
  });

  test("the record is keyed by each declaration's kernel id", () => {
    for (const [id, decl] of Object.entries(UNARY_DECLARATIONS)) {
      expect(decl.kernel).toBe(id);
      expect(UNARY_KERNELS[id as UnaryKernelId].id).toBe(id);
    }
  });
});

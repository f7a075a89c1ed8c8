import { expect } from "vitest";
import type { DType, TypedData } from "../../../src/base/dtype.js";
import { IssueCollector } from "../../../src/base/issue.js";
import type { KernelDef } from "../../../src/kernels/kernel.js";
import { makeRegion, type Region } from "../../../src/kernels/region.js";
import type { Signature } from "../../../src/kernels/signature.js";
import { ZRange } from "../../../src/zspace/index.js";

/** A test tensor: shape, dtype and dense row-major data. */
export interface TestTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: TypedData;
}

/** Decodes params and derives the signature, failing the test on any issue. */
export function prepare<P>(
  kernel: KernelDef<P>,
  inputs: Readonly<Record<string, TestTensor>>,
  rawParams: unknown = {},
): { params: P; signature: Signature; regions: Record<string, Region> } {
  const issues = new IssueCollector();
  const params = kernel.decodeParams(rawParams, issues, "/params");
  expect(issues.issues).toEqual([]);
  const types = Object.fromEntries(
    Object.entries(inputs).map(([k, t]) => [k, { shape: t.shape, dtype: t.dtype }]),
  );
  const signature = kernel.signature(types, params!, issues, "");
  expect(issues.issues).toEqual([]);
  const regions = Object.fromEntries(
    Object.entries(inputs).map(([k, t]) => [k, makeRegion(t.dtype, ZRange.fromShape(t.shape), t.data)]),
  );
  return { params: params!, signature: signature!, regions };
}

/** Runs a kernel over its whole index space (or over `index`, one shard of it). */
export function runKernel<P>(
  kernel: KernelDef<P>,
  inputs: Readonly<Record<string, TestTensor>>,
  rawParams: unknown = {},
  index?: ZRange,
): Record<string, Region> {
  const { params, signature, regions } = prepare(kernel, inputs, rawParams);
  return kernel.impl({ params, signature, index: index ?? signature.index, inputs: regions });
}

/** A float64 tensor of `shape` filled with small deterministic values. */
export function float64(shape: readonly number[], seed = 1): TestTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: size }, (_, i) => (((i + 1) * (seed * 7919 + 13)) % 17) / 4 - 2);
  return { shape, dtype: "float64", data };
}

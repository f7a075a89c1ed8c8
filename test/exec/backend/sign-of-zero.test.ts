/**
 * The sign of zero, the same on both backends and in tensor files: IEEE 754-2019 `relu`
 * (−0 < +0, so `relu(−0)` is +0), sums that start from +0 (so a sum, mean or product of −0
 * terms is +0 however it is sharded), and sign-preserving elementwise maps. The reference's
 * `maximum` and `minimum` order −0 below +0 too; the onnx backend's do not yet.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DType } from "../../../src/base/dtype.js";
import { createOnnxBackend, type KernelBackend } from "../../../src/exec/backend/index.js";
import { tensorsFromJson, tensorsToJson } from "../../../src/exec/tensor-file.js";
import type { AnyKernelDef } from "../../../src/kernels/kernel.js";
import { BUILTIN_KERNELS } from "../../../src/kernels/library/index.js";
import type { Region } from "../../../src/kernels/region.js";
import { region, rng } from "../../kernels/library/kernel-harness.js";
import { place, runOn, shardContext } from "./backend-harness.js";

let backend: KernelBackend;
beforeAll(async () => {
  backend = await createOnnxBackend();
});
afterAll(async () => {
  await backend.dispose();
});

/** The signs of zero in the reference's and the onnx backend's output ("+0", "-0" or the value). */
async function signs(def: AnyKernelDef, params: unknown, inputs: Record<string, Region>) {
  const p = place(def, { params, inputs }, rng(0), 0);
  const ctx = shardContext(p, p.signature.index);
  const show = (r: Region) =>
    Array.from(r.data, (v) => (Object.is(v, -0) ? "-0" : v === 0 ? "+0" : String(v)));
  const got = { reference: show(def.impl(ctx).out!), onnx: show((await runOn(backend, def, ctx)).out) };
  return got;
}

const DTYPES: DType[] = ["float32", "float64"];

describe.each(DTYPES)("the sign of zero (%s)", (dtype) => {
  const v = (values: number[]) => region(dtype, [values.length], values);

  it("relu(−0) is +0 and relu keeps −0 nowhere", async () => {
    const got = await signs(BUILTIN_KERNELS.relu, {}, { x: v([-0, 0, -1, 2]) });
    expect(got.reference).toEqual(["+0", "+0", "+0", "2"]);
    expect(got.onnx).toEqual(got.reference);
  });

  it("maximum and minimum order −0 below +0 in the reference, in either argument order", async () => {
    const a = v([-0, 0, -0, 0]);
    const b = v([0, -0, -0, 0]);
    const max = await signs(BUILTIN_KERNELS.maximum, {}, { a, b });
    const min = await signs(BUILTIN_KERNELS.minimum, {}, { a, b });
    expect(max.reference).toEqual(["+0", "+0", "-0", "+0"]);
    expect(min.reference).toEqual(["-0", "-0", "-0", "+0"]);
    // ONNX Runtime's Max and Min return either zero: equal as numbers, not in sign (docs/executors.md).
    expect(max.onnx.map((z) => z.replace("-0", "+0"))).toEqual(
      max.reference.map((z) => z.replace("-0", "+0")),
    );
    expect(min.onnx.map((z) => z.replace("-0", "+0"))).toEqual(
      min.reference.map((z) => z.replace("-0", "+0")),
    );
  });

  it("sums of −0 terms are +0: sum, mean, matmul and linear", async () => {
    for (const kernel of ["sum", "mean"] as const) {
      const got = await signs(BUILTIN_KERNELS[kernel], { dims: [0] }, { x: v([-0, -0]) });
      expect(got.reference).toEqual(["+0"]);
      expect(got.onnx).toEqual(got.reference);
    }
    const a = region(dtype, [1, 2], [-0, -0]);
    const b = region(dtype, [2, 1], [1, 1]);
    const mm = await signs(BUILTIN_KERNELS.matmul, {}, { a, b });
    expect(mm.reference).toEqual(["+0"]);
    expect(mm.onnx).toEqual(mm.reference);
    const lin = await signs(BUILTIN_KERNELS.linear, {}, { x: a, w: b });
    expect(lin.onnx).toEqual(lin.reference);
  });

  it("elementwise maps keep the sign IEEE 754 gives them", async () => {
    const neg = await signs(BUILTIN_KERNELS.neg, {}, { x: v([0, -0]) });
    expect(neg.reference).toEqual(["-0", "+0"]);
    expect(neg.onnx).toEqual(neg.reference);
    const mul = await signs(BUILTIN_KERNELS.mul, {}, { a: v([-1, 1]), b: v([0, -0]) });
    expect(mul.reference).toEqual(["-0", "-0"]);
    expect(mul.onnx).toEqual(mul.reference);
  });
});

describe("tensor files", () => {
  it('keep −0 (written as the string "-0", since JSON writes −0 as 0)', () => {
    const json = tensorsToJson({ t: region("float32", [3], [-0, 0, 1]) });
    const text = JSON.stringify(json);
    expect(text).toContain('"-0"');
    const back = tensorsFromJson(JSON.parse(text)).t!;
    expect(Object.is(back.data[0], -0)).toBe(true);
    expect(Object.is(back.data[1], 0)).toBe(true);
  });

  it("read a JSON number −0 as −0", () => {
    const back = tensorsFromJson(
      JSON.parse(
        '{"version":1,"kind":"tensors","tensors":{"t":{"dtype":"float64","range":{"start":[0],"end":[1]},"data":[-0]}}}',
      ),
    ).t!;
    expect(Object.is(back.data[0], -0)).toBe(true);
  });
});

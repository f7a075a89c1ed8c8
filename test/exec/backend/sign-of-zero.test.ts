/**
 * The sign of zero, the same on both backends and in tensor files: IEEE 754-2019 `relu`
 * (−0 < +0, so `relu(−0)` is +0), sums that start from +0 (so a sum, mean or product of −0
 * terms is +0 however it is sharded), and sign-preserving elementwise maps. The reference's
 * `maximum` and `minimum` order −0 below +0 and let NaN win (IEEE 754-2019), and the onnx
 * backend's follow them.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DType } from "../../../src/base/dtype.js";
import { createOnnxBackend, type KernelBackend } from "../../../src/exec/backend/index.js";
import { tensorsFromJson, tensorsToJson } from "../../../src/exec/tensor-file.js";
import type { AnyKernelDef } from "../../../src/kernels/kernel.js";
import { BUILTIN_KERNELS } from "../../../src/kernels/library/index.js";
import type { Region } from "../../../src/kernels/region.js";
import { region } from "../../kernels/library/kernel-harness.js";
import { runWhole } from "./backend-harness.js";

let backend: KernelBackend;
beforeAll(async () => {
  backend = await createOnnxBackend();
});
afterAll(async () => {
  await backend.dispose();
});

/** The signs of zero in the reference's and the onnx backend's output ("+0", "-0" or the value); the onnx one computed natively. */
async function signs(def: AnyKernelDef, params: unknown, inputs: Record<string, Region>) {
  const show = (r: Region) =>
    Array.from(r.data, (v) => (Object.is(v, -0) ? "-0" : v === 0 ? "+0" : String(v)));
  const run = await runWhole(backend, def, params, inputs);
  expect(run.backend.native, `${def.id} ran natively`).toBe(true);
  return { reference: show(run.reference), onnx: show(run.backend.out) };
}

const DTYPES: DType[] = ["float32", "float64"];

describe.each(DTYPES)("the sign of zero (%s)", (dtype) => {
  const v = (values: number[]) => region(dtype, [values.length], values);

  it("relu(−0) is +0 and relu keeps −0 nowhere", async () => {
    const got = await signs(BUILTIN_KERNELS.relu, {}, { x: v([-0, 0, -1, 2]) });
    expect(got.reference).toEqual(["+0", "+0", "+0", "2"]);
    expect(got.onnx).toEqual(got.reference);
  });

  it("maximum and minimum order −0 below +0 on both backends, for every pair of zeros", async () => {
    const a = v([-0, 0, -0, 0]);
    const b = v([0, -0, -0, 0]);
    const max = await signs(BUILTIN_KERNELS.maximum, {}, { a, b });
    const min = await signs(BUILTIN_KERNELS.minimum, {}, { a, b });
    expect(max.reference).toEqual(["+0", "+0", "-0", "+0"]);
    expect(min.reference).toEqual(["-0", "-0", "-0", "+0"]);
    expect(max.onnx).toEqual(max.reference);
    expect(min.onnx).toEqual(min.reference);
  });

  it("maximum and minimum keep a zero's sign against nonzero operands and let NaN win", async () => {
    const a = v([-0, 0, -0, -Infinity, Infinity, Number.NaN, 1, Number.NaN, -0]);
    const b = v([-1, -1, 1, -0, 0, 1, Number.NaN, Number.NaN, Number.MIN_VALUE]);
    const max = await signs(BUILTIN_KERNELS.maximum, {}, { a, b });
    const min = await signs(BUILTIN_KERNELS.minimum, {}, { a, b });
    expect(max.reference.slice(0, 8)).toEqual(["-0", "+0", "1", "-0", "Infinity", "NaN", "NaN", "NaN"]);
    expect(min.reference.slice(0, 8)).toEqual(["-1", "-1", "-0", "-Infinity", "+0", "NaN", "NaN", "NaN"]);
    expect(max.onnx).toEqual(max.reference);
    expect(min.onnx).toEqual(min.reference);
  });

  it("maximum and minimum agree with the reference in sign and value on any floats (property)", async () => {
    const special = fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity, 1, -1);
    const value = fc.oneof(special, fc.double());
    // One length, so one ONNX Runtime session serves every run.
    const values = fc.array(value, { minLength: 16, maxLength: 16 });
    await fc.assert(
      fc.asyncProperty(values, values, async (x, y) => {
        for (const kernel of ["maximum", "minimum"] as const) {
          const got = await signs(BUILTIN_KERNELS[kernel], {}, { a: v(x), b: v(y) });
          expect(got.onnx).toEqual(got.reference);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("clip and hard_sigmoid order −0 below +0 at a zero bound, as max and min do", async () => {
    const x = v([-0, 0, -1, 1, Number.NaN]);
    const upTo0 = await signs(BUILTIN_KERNELS.clip, { min: -1, max: 0 }, { x });
    expect(upTo0.reference).toEqual(["-0", "+0", "-1", "+0", "NaN"]);
    expect(upTo0.onnx).toEqual(upTo0.reference);
    const from0 = await signs(BUILTIN_KERNELS.clip, { min: 0, max: 6 }, { x });
    expect(from0.reference).toEqual(["+0", "+0", "+0", "1", "NaN"]);
    expect(from0.onnx).toEqual(from0.reference);
    // A graph that differs from the last only in its bound's sign of zero gets a session of its own.
    const fromMinus0 = await signs(BUILTIN_KERNELS.clip, { min: -0, max: 6 }, { x });
    expect(fromMinus0.reference).toEqual(["-0", "+0", "-0", "1", "NaN"]);
    expect(fromMinus0.onnx).toEqual(fromMinus0.reference);
    // alpha · x + beta is −0 only when both terms are: −0 at x = +0 with alpha < 0 and beta = −0.
    const hard = await signs(BUILTIN_KERNELS.hard_sigmoid, { alpha: -0.2, beta: -0 }, { x });
    const fifth = String(dtype === "float32" ? Math.fround(0.2) : 0.2);
    expect(hard.reference).toEqual(["+0", "+0", fifth, "+0", "NaN"]);
    expect(hard.onnx).toEqual(hard.reference);
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

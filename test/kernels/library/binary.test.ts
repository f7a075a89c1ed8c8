import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ADD_KERNEL,
  DIV_KERNEL,
  MAXIMUM_KERNEL,
  MINIMUM_KERNEL,
  MUL_KERNEL,
  SUB_KERNEL,
} from "../../../src/kernels/library/binary.js";
import { f64, issuesOf, region, run, signatureOf, values } from "./kernel-harness.js";

describe("binary elementwise kernels", () => {
  const a = f64([2, 3], [1, 2, 3, 4, 5, 6]);
  const b = f64([2, 3], [6, 5, 4, 3, 2, 1]);

  it.each([
    { kernel: ADD_KERNEL, expected: [7, 7, 7, 7, 7, 7] },
    { kernel: SUB_KERNEL, expected: [-5, -3, -1, 1, 3, 5] },
    { kernel: MUL_KERNEL, expected: [6, 10, 12, 12, 10, 6] },
    { kernel: DIV_KERNEL, expected: [1 / 6, 2 / 5, 3 / 4, 4 / 3, 5 / 2, 6] },
    { kernel: MAXIMUM_KERNEL, expected: [6, 5, 4, 4, 5, 6] },
    { kernel: MINIMUM_KERNEL, expected: [1, 2, 3, 3, 2, 1] },
  ])("$kernel.id computes same-shape results", ({ kernel, expected }) => {
    const out = run(kernel, {}, { a, b });
    expect(out.range.shape.toArray()).toEqual([2, 3]);
    expect(values(out)).toEqual(expected);
  });

  it("broadcasts a row against a column like numpy", () => {
    // [[0], [10], [20]] + [1, 2] = [[1, 2], [11, 12], [21, 22]]
    const col = f64([3, 1], [0, 10, 20]);
    const row = f64([2], [1, 2]);
    const out = run(ADD_KERNEL, {}, { a: col, b: row });
    expect(out.range.shape.toArray()).toEqual([3, 2]);
    expect(values(out)).toEqual([1, 2, 11, 12, 21, 22]);
  });

  it("broadcasts a scalar (rank 0) against any shape", () => {
    const s = f64([], [10]);
    expect(values(run(SUB_KERNEL, {}, { a: s, b: f64([3], [1, 2, 3]) }))).toEqual([9, 8, 7]);
    expect(values(run(MUL_KERNEL, {}, { a: s, b: s }))).toEqual([100]);
  });

  it("equals a hand broadcast of both operands for random compatible shapes", () => {
    const shapes = fc
      .array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 })
      .chain((out) =>
        fc.tuple(
          fc.constant(out),
          fc.tuple(fc.nat({ max: out.length }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 })),
          fc.tuple(fc.nat({ max: out.length }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 })),
        ),
      );
    fc.assert(
      fc.property(shapes, ([out, [da, onesA], [db, onesB]]) => {
        // Drop leading dims and set some dims to 1: a shape that broadcasts to `out`.
        const derive = (drop: number, ones: boolean[]) => out.slice(drop).map((s, i) => (ones[i] ? 1 : s));
        const sa = derive(da, onesA);
        const sb = derive(db, onesB);
        const va = sa.reduce((p, s) => p * s, 1);
        const vb = sb.reduce((p, s) => p * s, 1);
        const A = f64(
          sa,
          Array.from({ length: va }, (_, i) => i + 1),
        );
        const B = f64(
          sb,
          Array.from({ length: vb }, (_, i) => 100 * (i + 1)),
        );
        const got = run(ADD_KERNEL, {}, { a: A, b: B });
        const full = broadcastShape(sa, sb);
        expect(got.range.shape.toArray()).toEqual(full);
        const want = allIndices(full).map((idx) => at(A.data, sa, idx) + at(B.data, sb, idx));
        expect(values(got)).toEqual(want);
      }),
    );
  });

  describe("int32", () => {
    const i32 = (shape: number[], v: number[]) => region("int32", shape, v);

    it("divides truncating toward zero, with x / 0 = 0", () => {
      const out = run(DIV_KERNEL, {}, { a: i32([5], [7, -7, 7, -7, 3]), b: i32([5], [2, 2, -2, -2, 0]) });
      expect(out.dtype).toBe("int32");
      expect(values(out)).toEqual([3, -3, -3, 3, 0]);
    });

    it("wraps products mod 2^32 exactly (no float64 rounding of large products)", () => {
      const big = 2 ** 31 - 1;
      const out = run(MUL_KERNEL, {}, { a: i32([2], [big, 65537]), b: i32([2], [big, 65537]) });
      expect(values(out)).toEqual([Math.imul(big, big), Math.imul(65537, 65537)]);
    });

    it("wraps sums like C", () => {
      expect(values(run(ADD_KERNEL, {}, { a: i32([1], [2 ** 31 - 1]), b: i32([1], [1]) }))).toEqual([
        -(2 ** 31),
      ]);
    });
  });

  it("propagates NaN through maximum and minimum", () => {
    const out = run(MAXIMUM_KERNEL, {}, { a: f64([2], [Number.NaN, 1]), b: f64([2], [0, Number.NaN]) });
    expect(values(out).every(Number.isNaN)).toBe(true);
    expect(values(run(MINIMUM_KERNEL, {}, { a: f64([1], [Number.NaN]), b: f64([1], [0]) }))).toEqual([
      Number.NaN,
    ]);
  });

  it("rounds float32 results once from float64", () => {
    const out = run(DIV_KERNEL, {}, { a: region("float32", [1], [1]), b: region("float32", [1], [3]) });
    expect(out.dtype).toBe("float32");
    expect(out.data[0]).toBe(Math.fround(1 / 3));
  });

  describe("signature", () => {
    it("indexes the broadcast shape and gives stretched size-1 dimensions a zero row", () => {
      const sig = signatureOf(ADD_KERNEL, {
        a: { shape: [4, 1, 3], dtype: "float64" },
        b: { shape: [5, 1], dtype: "float64" },
      });
      expect(sig.index.shape.toArray()).toEqual([4, 5, 3]);
      expect(sig.inputs.a!.projection.map.matrix).toEqual([
        [1, 0, 0],
        [0, 0, 0],
        [0, 0, 1],
      ]);
      expect(sig.inputs.b!.projection.map.matrix).toEqual([
        [0, 1, 0],
        [0, 0, 0],
      ]);
      expect(sig.outputs.out!.projection.map.isIdentity()).toBe(true);
      expect(sig.outputs.out!.shape).toEqual([4, 5, 3]);
      expect(sig.reductions).toEqual([]);
      // The projection of the whole index space is exactly each operand's box.
      expect(sig.inputs.a!.projection.applyRange(sig.index).shape.toArray()).toEqual([4, 1, 3]);
      expect(sig.inputs.b!.projection.applyRange(sig.index).shape.toArray()).toEqual([5, 1]);
    });

    it("keeps a size-1 dimension that is not stretched as a unit row", () => {
      const sig = signatureOf(MUL_KERNEL, {
        a: { shape: [1, 2], dtype: "int32" },
        b: { shape: [1, 2], dtype: "int32" },
      });
      expect(sig.inputs.a!.projection.map.isIdentity()).toBe(true);
    });
  });

  describe("issues", () => {
    it("names both operands and dimensions when shapes do not broadcast", () => {
      const issues = issuesOf(ADD_KERNEL, {
        a: { shape: [2, 4], dtype: "float64" },
        b: { shape: [3], dtype: "float64" },
      });
      expect(issues).toEqual([
        expect.objectContaining({
          code: "shape_mismatch",
          path: "/op/inputs/b",
          summary:
            "input b dimension 0 (size 3) does not broadcast against input a dimension 1 (size 4): sizes must be equal or one of them 1",
          context: expect.objectContaining({ input: "b", dim: 0, expected: 4, found: 3 }),
        }),
      ]);
    });

    it("reports mixed dtypes", () => {
      const issues = issuesOf(SUB_KERNEL, {
        a: { shape: [2], dtype: "float64" },
        b: { shape: [2], dtype: "float32" },
      });
      expect(issues.map((i) => [i.code, i.path, i.summary])).toEqual([
        [
          "dtype_mismatch",
          "/op/inputs/b",
          "input b has dtype float32 but input a has float64; sub needs operands of one dtype",
        ],
      ]);
    });

    it("reports a missing operand", () => {
      expect(issuesOf(ADD_KERNEL, { a: { shape: [2], dtype: "float64" } })).toEqual([
        expect.objectContaining({
          code: "missing_operand",
          path: "/op/inputs/b",
          summary: "add needs input b",
        }),
      ]);
    });

    it("rejects params, since binary kernels take none", () => {
      expect(issuesOf(ADD_KERNEL, {}, { alpha: 2 })).toEqual([
        expect.objectContaining({
          code: "invalid_param",
          path: "/op/params/alpha",
          summary: "add has no parameter `alpha` (it takes no parameters)",
        }),
      ]);
      expect(issuesOf(ADD_KERNEL, {}, [1])).toEqual([
        expect.objectContaining({
          code: "invalid_param",
          path: "/op/params",
          summary: "params of add must be an object, found an array of length 1",
        }),
      ]);
    });
  });
});

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[i - (n - a.length)] ?? 1;
    const y = b[i - (n - b.length)] ?? 1;
    return Math.max(x, y);
  });
}

function allIndices(shape: readonly number[]): number[][] {
  return shape.reduce<number[][]>(
    (acc, s) => acc.flatMap((p) => Array.from({ length: s }, (_, i) => [...p, i])),
    [[]],
  );
}

/** Element of a row-major array of `shape` at an index of the (possibly higher-rank) broadcast shape. */
function at(data: ArrayLike<number>, shape: readonly number[], idx: readonly number[]): number {
  const lead = idx.length - shape.length;
  let off = 0;
  shape.forEach((s, d) => {
    off = off * s + (s === 1 ? 0 : idx[lead + d]!);
  });
  return data[off]!;
}

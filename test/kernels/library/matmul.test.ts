import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MATMUL_KERNEL } from "../../../src/kernels/library/matmul.js";
import {
  expectValuesClose,
  f64,
  issuesOf,
  randomRegion,
  region,
  rng,
  run,
  signatureOf,
  values,
} from "./kernel-harness.js";

const t = (shape: number[]) => ({ shape, dtype: "float64" as const });

describe("matmul", () => {
  it("multiplies 2×3 by 3×2 (hand-computed)", () => {
    // [[1,2,3],[4,5,6]] · [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
    const out = run(
      MATMUL_KERNEL,
      {},
      { a: f64([2, 3], [1, 2, 3, 4, 5, 6]), b: f64([3, 2], [7, 8, 9, 10, 11, 12]) },
    );
    expect(out.range.shape.toArray()).toEqual([2, 2]);
    expect(values(out)).toEqual([58, 64, 139, 154]);
  });

  it("promotes and drops 1-D operands like numpy", () => {
    const m = f64([2, 3], [1, 2, 3, 4, 5, 6]);
    const v = f64([3], [1, 0, -1]);
    const w = f64([2], [1, 1]);
    // matrix · vector → [2]; vector · matrix → [3]; vector · vector → scalar.
    const mv = run(MATMUL_KERNEL, {}, { a: m, b: v });
    expect(mv.range.shape.toArray()).toEqual([2]);
    expect(values(mv)).toEqual([-2, -2]);
    const vm = run(MATMUL_KERNEL, {}, { a: w, b: m });
    expect(vm.range.shape.toArray()).toEqual([3]);
    expect(values(vm)).toEqual([5, 7, 9]);
    const vv = run(MATMUL_KERNEL, {}, { a: v, b: v });
    expect(vv.range.rank).toBe(0);
    expect(values(vv)).toEqual([2]);
  });

  it("broadcasts batch dimensions", () => {
    // a: two 1×2 matrices; b: one 2×1 matrix shared by both.
    const a = f64([2, 1, 2], [1, 2, 3, 4]);
    const b = f64([1, 2, 1], [10, 1]);
    const out = run(MATMUL_KERNEL, {}, { a, b });
    expect(out.range.shape.toArray()).toEqual([2, 1, 1]);
    expect(values(out)).toEqual([12, 34]);
  });

  it("computes int32 products and sums with C wrap-around", () => {
    const big = 2 ** 30;
    const out = run(
      MATMUL_KERNEL,
      {},
      { a: region("int32", [1, 2], [big, big]), b: region("int32", [2, 1], [4, 4]) },
    );
    expect(out.dtype).toBe("int32");
    // 2^30·4 + 2^30·4 = 2^33 ≡ 0 (mod 2^32).
    expect(values(out)).toEqual([0]);
    expect(
      values(run(MATMUL_KERNEL, {}, { a: region("int32", [2], [3, -2]), b: region("int32", [2], [5, 7]) })),
    ).toEqual([1]);
  });

  it("multiplies by an empty contraction (k = 0) into zeros of the full output shape", () => {
    const out = run(MATMUL_KERNEL, {}, { a: f64([2, 0], []), b: f64([0, 3], []) });
    expect(out.range.shape.toArray()).toEqual([2, 3]);
    expect(values(out)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("equals the sum over k of outer products of a's columns and b's rows", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer(),
        (m, n, k, seed) => {
          const next = rng(seed);
          const a = randomRegion("float64", [m, k], next);
          const b = randomRegion("float64", [k, n], next);
          const expected = new Float64Array(m * n);
          for (let kk = 0; kk < k; kk++) {
            for (let i = 0; i < m; i++)
              for (let j = 0; j < n; j++) expected[i * n + j]! += a.data[i * k + kk]! * b.data[kk * n + j]!;
          }
          expectValuesClose(run(MATMUL_KERNEL, {}, { a, b }).data, expected, 1e-12);
        },
      ),
    );
  });

  describe("signature", () => {
    it("indexes [batch, m, n, k] with k a sum reduction and exact projections", () => {
      const sig = signatureOf(MATMUL_KERNEL, { a: t([8, 2, 3]), b: t([3, 4]) });
      expect(sig.indexNames).toEqual(["batch0", "m", "n", "k"]);
      expect(sig.index.shape.toArray()).toEqual([8, 2, 4, 3]);
      expect(sig.reductions).toEqual([{ dim: 3, monoid: "sum" }]);
      expect(sig.inputs.a!.projection.map.matrix).toEqual([
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 1],
      ]);
      expect(sig.inputs.b!.projection.map.matrix).toEqual([
        [0, 0, 0, 1],
        [0, 0, 1, 0],
      ]);
      expect(sig.outputs.out!.shape).toEqual([8, 2, 4]);
      for (const [name, shape] of [
        ["a", [8, 2, 3]],
        ["b", [3, 4]],
      ] as const) {
        expect(sig.inputs[name]!.projection.applyRange(sig.index).shape.toArray()).toEqual(shape);
      }
      expect(sig.outputs.out!.projection.applyRange(sig.index).shape.toArray()).toEqual([8, 2, 4]);
    });

    it("drops m and n from the index when operands are vectors", () => {
      expect(signatureOf(MATMUL_KERNEL, { a: t([3]), b: t([3, 4]) }).indexNames).toEqual(["n", "k"]);
      expect(signatureOf(MATMUL_KERNEL, { a: t([2, 3]), b: t([3]) }).indexNames).toEqual(["m", "k"]);
      const vv = signatureOf(MATMUL_KERNEL, { a: t([3]), b: t([3]) });
      expect(vv.indexNames).toEqual(["k"]);
      expect(vv.outputs.out!.shape).toEqual([]);
    });

    it("gives a broadcast batch dimension a zero row", () => {
      const sig = signatureOf(MATMUL_KERNEL, { a: t([1, 5, 2, 3]), b: t([4, 1, 3, 2]) });
      expect(sig.index.shape.toArray()).toEqual([4, 5, 2, 2, 3]);
      expect(sig.inputs.a!.projection.map.matrix[0]).toEqual([0, 0, 0, 0, 0]);
      expect(sig.inputs.b!.projection.map.matrix[1]).toEqual([0, 0, 0, 0, 0]);
    });
  });

  describe("issues", () => {
    it("names the contraction dimensions with expected and found sizes", () => {
      const issues = issuesOf(MATMUL_KERNEL, { a: t([16, 64]), b: t([32, 8]) });
      expect(issues).toEqual([
        expect.objectContaining({
          code: "shape_mismatch",
          path: "/op/inputs/b",
          summary: "input b dimension 0 (k) must equal input a dimension 1 = 64, found 32",
          context: { input: "b", dim: 0, expected: 64, found: 32 },
        }),
      ]);
      expect(issuesOf(MATMUL_KERNEL, { a: t([2, 3, 5]), b: t([3]) })[0]?.summary).toBe(
        "input b dimension 0 (k) must equal input a dimension 2 = 5, found 3",
      );
    });

    it("rejects scalars", () => {
      expect(issuesOf(MATMUL_KERNEL, { a: t([]), b: t([2]) })).toEqual([
        expect.objectContaining({
          code: "rank_mismatch",
          path: "/op/inputs/a",
          summary:
            "input a must have rank ≥ 1 (matmul needs a vector or a matrix stack), found rank 0 with shape []",
        }),
      ]);
    });

    it("reports batch dimensions that do not broadcast", () => {
      expect(issuesOf(MATMUL_KERNEL, { a: t([2, 4, 3]), b: t([3, 3, 5]) })).toEqual([
        expect.objectContaining({
          code: "shape_mismatch",
          path: "/op/inputs/b",
          summary:
            "input b dimension 0 (size 3) does not broadcast against input a dimension 0 (size 2): sizes must be equal or one of them 1",
        }),
      ]);
    });

    it("reports mixed dtypes", () => {
      expect(
        issuesOf(MATMUL_KERNEL, { a: t([2, 2]), b: { shape: [2, 2], dtype: "int32" } }).map((i) => i.code),
      ).toEqual(["dtype_mismatch"]);
    });
  });
});

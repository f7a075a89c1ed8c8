import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { IssueCollector } from "../../../src/base/issue.js";
import {
  loadKernelDeclaration,
  loadKernelDeclarationFile,
  parseKernelDeclaration,
} from "../../../src/kernels/declaration/index.js";
import { IndexProjection, ZAffineMap, ZRange } from "../../../src/zspace/index.js";
import { float64, prepare, runKernel } from "./run-kernel.js";

const FIXTURES = new URL("../../fixtures/kernels/", import.meta.url);
const fixture = (name: string): string => new URL(name, FIXTURES).pathname;

/** out[i, j] = scale · Σ_d (x[i, d] - y[j, d])², by hand. */
function squaredDistances(
  x: Float64Array,
  y: Float64Array,
  n: number,
  m: number,
  d: number,
  scale: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += scale * (x[i * d + k]! - y[j * d + k]!) ** 2;
      out.push(acc);
    }
  }
  return out;
}

describe("a kernel added by a declaration file alone: squared-distance.yaml", () => {
  const kernel = loadKernelDeclarationFile(fixture("squared-distance.yaml"));
  const x = float64([4, 3], 1);
  const y = float64([5, 3], 2);

  test("it has the declared names", () => {
    expect(kernel.id).toBe("squared_distance");
    expect(kernel.summary).toBe("pairwise squared euclidean distances");
    expect(kernel.inputs).toEqual(["x", "y"]);
    expect(kernel.outputs).toEqual(["out"]);
  });

  test("its signature follows from the patterns, index space, projections and reductions", () => {
    const { signature } = prepare(kernel, { x, y });
    expect(signature.index.equals(ZRange.fromShape([4, 5, 3]))).toBe(true);
    expect(signature.indexNames).toEqual(["n", "m", "d"]);
    expect(signature.reductions).toEqual([{ dim: 2, monoid: "sum" }]);
    const out = signature.outputs.out!;
    expect(out.shape).toEqual([4, 5]);
    expect(out.dtype).toBe("float64");
    const select = (rows: number[][]) => IndexProjection.pointwise(ZAffineMap.fromMatrix(rows, [0, 0], 3));
    expect(
      signature.inputs.x!.projection.equals(
        select([
          [1, 0, 0],
          [0, 0, 1],
        ]),
      ),
    ).toBe(true);
    expect(
      signature.inputs.y!.projection.equals(
        select([
          [0, 1, 0],
          [0, 0, 1],
        ]),
      ),
    ).toBe(true);
    expect(
      out.projection.equals(
        select([
          [1, 0, 0],
          [0, 1, 0],
        ]),
      ),
    ).toBe(true);
  });

  test("its compute body evaluates like a hand loop, with the param default and with a param", () => {
    const whole = runKernel(kernel, { x, y }).out!;
    expect(whole.range.equals(ZRange.fromShape([4, 5]))).toBe(true);
    expect(Array.from(whole.data)).toEqual(
      squaredDistances(x.data as Float64Array, y.data as Float64Array, 4, 5, 3, 1),
    );
    const scaled = runKernel(kernel, { x, y }, { scale: 0.5 }).out!;
    const expected = squaredDistances(x.data as Float64Array, y.data as Float64Array, 4, 5, 3, 0.5);
    Array.from(scaled.data).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 12);
    });
  });

  test("partials over a split of the reduction dimension sum to the whole", () => {
    const whole = runKernel(kernel, { x, y }).out!;
    const [first, second] = ZRange.fromShape([4, 5, 3]).splitDim(2, 2);
    const a = runKernel(kernel, { x, y }, {}, first).out!;
    const b = runKernel(kernel, { x, y }, {}, second).out!;
    expect(a.range.equals(whole.range) && b.range.equals(whole.range)).toBe(true);
    Array.from(whole.data).forEach((v, i) => {
      expect(a.data[i]! + b.data[i]!).toBeCloseTo(v, 12);
    });
  });

  test("a shard along a non-reduction dimension computes exactly its block of the output", () => {
    const whole = runKernel(kernel, { x, y }).out!;
    const shard = ZRange.fromBounds([1, 2, 0], [3, 5, 3]);
    const part = runKernel(kernel, { x, y }, {}, shard).out!;
    expect(part.range.equals(ZRange.fromBounds([1, 2], [3, 5]))).toBe(true);
    for (let i = 1; i < 3; i++) {
      for (let j = 2; j < 5; j++) expect(part.data[(i - 1) * 3 + (j - 2)]).toBe(whole.data[i * 5 + j]);
    }
  });

  test("float32 inputs give a float32 output; mixed or int32 inputs are dtype mismatches", () => {
    const f32 = (t: ReturnType<typeof float64>) => ({
      ...t,
      dtype: "float32" as const,
      data: Float32Array.from(t.data),
    });
    expect(prepare(kernel, { x: f32(x), y: f32(y) }).signature.outputs.out!.dtype).toBe("float32");
    const issues = new IssueCollector();
    const sig = kernel.signature(
      { x: { shape: [4, 3], dtype: "float64" }, y: { shape: [5, 3], dtype: "float32" } },
      { scale: 1 },
      issues,
      "/nodes/0",
    );
    expect(sig).toBeUndefined();
    expect(issues.issues).toEqual([
      {
        code: "dtype_mismatch",
        path: "/nodes/0/inputs/y/dtype",
        summary: "input y has dtype float32, but T = float64 (bound by input x)",
        context: { operand: "y", variable: "T", expected: "float64", found: "float32", boundBy: "input x" },
      },
    ]);
    const ints = new IssueCollector();
    kernel.signature(
      { x: { shape: [4, 3], dtype: "int32" }, y: { shape: [5, 3], dtype: "int32" } },
      { scale: 1 },
      ints,
      "",
    );
    expect(ints.issues.map((i) => [i.code, i.summary])).toContainEqual([
      "dtype_mismatch",
      "input x has dtype int32, but T may be float32 or float64",
    ]);
  });

  test("shapes that disagree on $d are a pattern mismatch naming the binder", () => {
    const issues = new IssueCollector();
    kernel.signature(
      { x: { shape: [4, 3], dtype: "float64" }, y: { shape: [5, 4], dtype: "float64" } },
      { scale: 1 },
      issues,
      "",
    );
    expect(issues.issues.map((i) => [i.code, i.path, i.summary])).toEqual([
      [
        "pattern_mismatch",
        "/inputs/y/shape",
        "input y: dimension 1: expected $d = 3 (bound by input x), found 4",
      ],
    ]);
  });

  test("missing and unknown inputs are reported", () => {
    const issues = new IssueCollector();
    kernel.signature(
      { x: { shape: [4, 3], dtype: "float64" }, z: { shape: [1], dtype: "float64" } },
      { scale: 1 },
      issues,
      "",
    );
    expect(issues.issues.map((i) => [i.code, i.path])).toEqual([
      ["unknown_operand", "/inputs/z"],
      ["missing_operand", "/inputs/y"],
    ]);
  });

  test("params decode with defaults and are checked", () => {
    const decode = (raw: unknown) => {
      const issues = new IssueCollector();
      const params = kernel.decodeParams(raw, issues, "/params");
      return { params, issues: issues.issues.map((i) => `${i.code} ${i.path}: ${i.summary}`) };
    };
    expect(decode(undefined)).toEqual({ params: { scale: 1 }, issues: [] });
    expect(decode({ scale: 2.5 })).toEqual({ params: { scale: 2.5 }, issues: [] });
    expect(decode({ scale: "big" }).issues).toEqual([
      'invalid_param /params/scale: param scale must be a finite number, found "big"',
    ]);
    expect(decode({ scael: 2 }).issues).toEqual([
      "invalid_param /params/scael: unknown param scael (declared: scale)",
    ]);
    expect(decode([1]).issues).toEqual(["expected_object /params: params must be an object, found an array"]);
  });

  test("the same declaration loads from JSON text", () => {
    const yaml = parseKernelDeclaration(readFileSync(fixture("squared-distance.yaml"), "utf8"), "yaml");
    const fromJson = loadKernelDeclaration(JSON.stringify(yaml), "json");
    expect(Array.from(runKernel(fromJson, { x, y }).out!.data)).toEqual(
      Array.from(runKernel(kernel, { x, y }).out!.data),
    );
  });
});

describe("conv1d.json: strided, padded convolution over batch groups, declared as data", () => {
  const kernel = loadKernelDeclarationFile(fixture("conv1d.json"));

  function reference(
    x: Float64Array,
    w: Float64Array,
    batch: number,
    c: number,
    width: number,
    o: number,
    k: number,
    stride: number,
    pad: number,
  ) {
    const ow = Math.floor((width + 2 * pad - k) / stride) + 1;
    const out = new Array<number>(batch * o * ow).fill(0);
    for (let b = 0; b < batch; b++)
      for (let oc = 0; oc < o; oc++)
        for (let p = 0; p < ow; p++) {
          let acc = 0;
          for (let ic = 0; ic < c; ic++)
            for (let kk = 0; kk < k; kk++) {
              const pos = p * stride + kk - pad;
              if (pos >= 0 && pos < width) acc += x[(b * c + ic) * width + pos]! * w[(oc * c + ic) * k + kk]!;
            }
          out[(b * o + oc) * ow + p] = acc;
        }
    return { out, ow };
  }

  test.each([
    [1, 0],
    [2, 1],
    [3, 2],
  ])("stride %d, pad %d matches a hand loop (out-of-range reads are zeros)", (stride, pad) => {
    const x = float64([2, 3, 9], 3);
    const w = float64([4, 3, 3], 4);
    const { out, ow } = reference(x.data as Float64Array, w.data as Float64Array, 2, 3, 9, 4, 3, stride, pad);
    const { signature } = prepare(kernel, { x, w }, { stride, pad });
    expect(signature.outputs.out!.shape).toEqual([2, 4, ow]);
    expect(signature.indexNames).toEqual(["b0", "o", "ow", "c", "kk"]);
    expect(signature.reductions).toEqual([
      { dim: 3, monoid: "sum" },
      { dim: 4, monoid: "sum" },
    ]);
    const got = Array.from(runKernel(kernel, { x, w }, { stride, pad }).out!.data);
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(out[i]!, 12);
    });
  });

  test("the input projection is the affine window the expression describes", () => {
    const { signature } = prepare(
      kernel,
      { x: float64([2, 5, 3, 9]), w: float64([4, 3, 3]) },
      { stride: 2, pad: 1 },
    );
    // index [b0, b1, o, ow, c, kk] → x[b0, b1, c, 2·ow + kk - 1]
    const expected = ZAffineMap.fromMatrix(
      [
        [1, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, 0],
        [0, 0, 0, 2, 0, 1],
      ],
      [0, 0, 0, -1],
    );
    expect(signature.inputs.x!.projection.equals(IndexProjection.pointwise(expected))).toBe(true);
  });
});

import { describe, expect, test } from "vitest";
import { IssueCollector } from "../../../src/base/issue.js";
import { compileDeclaration, readKernelDeclarationFile } from "../../../src/kernels/declaration/index.js";
import { IndexProjection, ZAffineMap, ZRange } from "../../../src/zspace/index.js";

const kernel = compileDeclaration(
  readKernelDeclarationFile(new URL("../../fixtures/kernels/window-max.yaml", import.meta.url).pathname),
);

function signatureFor(shape: number[], raw: unknown) {
  const issues = new IssueCollector();
  const params = kernel.decodeParams(raw, issues, "/params");
  const signature =
    params === undefined
      ? undefined
      : kernel.signature({ x: { shape, dtype: "int32" } }, params, issues, "/op");
  return { signature, issues: issues.issues.map((i) => `${i.code} ${i.path}: ${i.summary}`) };
}

describe("window-max.yaml: a signature-only kernel with a box-form projection", () => {
  test("has no implementation, but the metakernel sharding needs", () => {
    expect("impl" in kernel).toBe(false);
    expect(kernel.id).toBe("window_max");
  });

  test("each output element reads a strided, padded window of x", () => {
    const { signature, issues } = signatureFor([2, 3, 10], { window: 3, stride: 2, pads: [1, 0] });
    expect(issues).toEqual([]);
    // (10 + 1 + 0 - 3) // 2 + 1 = 5 windows per row
    expect(signature!.outputs.out!.shape).toEqual([2, 3, 5]);
    expect(signature!.outputs.out!.dtype).toBe("int32");
    expect(signature!.index.equals(ZRange.fromShape([2, 3, 5]))).toBe(true);
    expect(signature!.indexNames).toEqual(["r0", "r1", "o"]);
    const window = IndexProjection.of(
      ZAffineMap.fromMatrix(
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 2],
        ],
        [0, 0, -1],
      ),
      [1, 1, 3],
    );
    expect(signature!.inputs.x!.projection.equals(window)).toBe(true);
    // Shard o ∈ [2, 5): reads x[..., 3, 10) — the halo follows from the projection alone.
    expect(
      window
        .applyRange(ZRange.fromBounds([0, 0, 2], [2, 3, 5]))
        .equals(ZRange.fromBounds([0, 0, 3], [2, 3, 10])),
    ).toBe(true);
  });

  test("a required param without a default must be given", () => {
    expect(signatureFor([4, 10], {}).issues).toEqual([
      "invalid_param /params/window: missing param window (int)",
    ]);
    expect(signatureFor([4, 10], { window: 2, pads: [1, "x"] }).issues).toEqual([
      'invalid_param /params/pads: param pads must be an array of integers, found [1,"x"]',
    ]);
  });

  test("params that make the output extent negative are reported, not thrown", () => {
    expect(signatureFor([4, 2], { window: 5 }).issues).toEqual([
      "negative_extent /op/index: window_max: index dimension o has negative extent -2",
    ]);
  });

  test("indexing a list param out of range is an invalid_param issue", () => {
    expect(signatureFor([4, 10], { window: 2, pads: [1] }).issues).toEqual([
      "invalid_param /op/index: window_max: @pads[1] is out of range: @pads has 1 entry",
    ]);
  });
});

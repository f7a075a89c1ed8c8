import { describe, expect, it } from "vitest";
import { RESHAPE_KERNEL, RESHAPE_UNSHARDABLE } from "../../../src/kernels/library/reshape.js";
import { ZRange } from "../../../src/zspace/z-range.js";
import { decode, f64, issuesOf, region, run, runSharded, signatureOf, values } from "./kernel-harness.js";

const t = (shape: number[]) => ({ shape, dtype: "float64" as const });
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("reshape", () => {
  it("keeps row-major order", () => {
    const out = run(RESHAPE_KERNEL, { shape: [3, 2] }, { x: f64([2, 3], iota(6)) });
    expect(out.range.shape.toArray()).toEqual([3, 2]);
    expect(values(out)).toEqual(iota(6));
  });

  it("infers one -1 entry", () => {
    expect(
      run(RESHAPE_KERNEL, { shape: [-1, 4] }, { x: f64([2, 2, 2], iota(8)) }).range.shape.toArray(),
    ).toEqual([2, 4]);
    expect(run(RESHAPE_KERNEL, { shape: [] }, { x: region("int32", [1, 1], [5]) }).range.rank).toBe(0);
  });

  it("is declared unshardable, reading the whole of x from every index point", () => {
    const sig = signatureOf(RESHAPE_KERNEL, { x: t([2, 3]) }, { shape: [6] });
    expect(sig.unshardable).toBe(RESHAPE_UNSHARDABLE);
    expect(sig.inputs.x!.projection.applyRange(ZRange.fromBounds([4], [5]))).toEqual(
      ZRange.fromShape([2, 3]),
    );
    expect(sig.outputs.out!.projection.map.isIdentity()).toBe(true);
  });

  it("still evaluates any sub-range correctly when given the whole of x", () => {
    const x = f64([2, 3, 2], iota(12));
    const { out } = runSharded(
      RESHAPE_KERNEL,
      { shape: [4, 3] },
      { x },
      [
        { dim: 0, cuts: [1] },
        { dim: 1, cuts: [2] },
      ],
      {
        x: [5, -1, 2],
        out: [1, 1],
      },
    );
    expect(values(out)).toEqual(iota(12));
  });

  it("rejects element counts that differ and a second -1", () => {
    expect(issuesOf(RESHAPE_KERNEL, { x: t([2, 3]) }, { shape: [4, 2] })).toEqual([
      expect.objectContaining({
        code: "shape_mismatch",
        path: "/op/params/shape",
        summary: "cannot reshape input x of shape [2, 3] (6 elements) into [4, 2] (8 elements)",
      }),
    ]);
    expect(issuesOf(RESHAPE_KERNEL, { x: t([2, 3]) }, { shape: [-1, 4] })[0]).toMatchObject({
      code: "shape_mismatch",
      path: "/op/params/shape/0",
      summary:
        "cannot infer the -1 entry of `shape` [-1, 4] for input x of shape [2, 3]: 6 is not a multiple of 4",
    });
    expect(issuesOf(RESHAPE_KERNEL, { x: t([0, 3]) }, { shape: [0, -1] })[0]).toMatchObject({
      code: "invalid_param",
    });
    expect(issuesOf(RESHAPE_KERNEL, { x: t([4]) }, { shape: [-1, -1] })).toEqual([
      expect.objectContaining({
        code: "invalid_param",
        path: "/op/params/shape/1",
        summary: "`shape` may have only one -1 entry; `shape[1]` is another",
      }),
    ]);
    expect(issuesOf(RESHAPE_KERNEL, { x: t([4]) }, { shape: [-2, -2] }).map((i) => i.path)).toEqual([
      "/op/params/shape/0",
      "/op/params/shape/1",
    ]);
    expect(() => decode(RESHAPE_KERNEL, {})).toThrow("missing required parameter `shape`");
  });
});

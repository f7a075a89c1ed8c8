/** The builder methods of the kernels ONNX import added: exact GELU, hard sigmoid, clip, max pooling. */
import { describe, expect, it } from "vitest";
import { evaluateProgram, programOutputs } from "../../src/exec/index.js";
import { program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { ZRange } from "../../src/zspace/z-range.js";

describe("builder methods for imported models' kernels", () => {
  it("compute gelu_erf, hard_sigmoid, clip and max_pool2d", () => {
    const p = program("small");
    const x = p.input("x", [1, 1, 2, 2]);
    p.output("g", p.geluErf(x));
    p.output("h", p.hardSigmoid(x, { alpha: 0.5, beta: 0.5 }));
    p.output("c", p.clip(x, { min: -1, max: 1 }));
    p.output("m", p.maxPool2d(x, { kernel: [2, 2] }));
    const prog = p.build();
    const data = Float32Array.of(-2, -0.5, 0.5, 3);
    const values = programOutputs(
      prog,
      evaluateProgram(
        prog,
        { x: { dtype: "float32", range: ZRange.fromShape([1, 1, 2, 2]), data } },
        builtinRegistry(),
      ),
    );
    expect(Array.from(values.c!.data)).toEqual([-1, -0.5, 0.5, 1]);
    expect(Array.from(values.h!.data)).toEqual([0, 0.25, 0.75, 1]);
    expect(Array.from(values.m!.data)).toEqual([3]);
    // Φ(1 / √2 · 3) · 3 with erf: 2.99595..., not the tanh approximation's 2.99636...
    expect(values.g!.data[3]).toBeCloseTo(2.99595, 5);
  });

  it("compute upsample_nearest2d and conv_transpose2d", () => {
    const p = program("up");
    const x = p.input("x", [1, 1, 1, 2]);
    p.output("u", p.upsampleNearest2d(x, { scale: [2, 1] }));
    p.output("t", p.convTranspose2d(x, p.input("w", [1, 1, 1, 2])));
    const prog = p.build();
    const f32 = (shape: number[], values: number[]) => ({
      dtype: "float32" as const,
      range: ZRange.fromShape(shape),
      data: Float32Array.from(values),
    });
    const values = programOutputs(
      prog,
      evaluateProgram(
        prog,
        { x: f32([1, 1, 1, 2], [1, 2]), w: f32([1, 1, 1, 2], [10, 1]) },
        builtinRegistry(),
      ),
    );
    expect(Array.from(values.u!.data)).toEqual([1, 2, 1, 2]);
    expect(Array.from(values.t!.data)).toEqual([10, 1, 20, 2]);
  });
});

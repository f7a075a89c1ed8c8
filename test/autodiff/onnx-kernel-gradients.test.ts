/**
 * The conventions at the points where the kernels ONNX import brings have no derivative, pinned
 * exactly (the finite-difference property test never lands on them): clip passes the cotangent
 * at its bounds, hard_sigmoid stops it at its kinks, max_pool2d gives a tie to the first tap.
 */
import { describe, expect, it } from "vitest";
import { grad } from "../../src/autodiff/index.js";
import { evaluateProgram } from "../../src/exec/reference/evaluate.js";
import { program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { f64 } from "../kernels/library/kernel-harness.js";

const registry = builtinRegistry();

/** `d Σ kernel(x) / dx` at `xs` (a row vector or an NCHW block) through the reference evaluator. */
function gradientAt(
  kernel: string,
  params: Record<string, unknown>,
  shape: number[],
  xs: number[],
): number[] {
  const p = program(`${kernel}-at-kinks`);
  const x = p.input("x", shape, "float64");
  p.output("loss", p.sum(p.call(kernel, { x }, params, { id: "op" }).out!));
  const g = grad(p.build(), { loss: "loss", wrt: ["x"] }, registry);
  return Array.from(evaluateProgram(g, { x: f64(shape, xs) }, registry).grad_x!.data);
}

describe("gradients at non-differentiable points", () => {
  it("clip passes the cotangent at and between its bounds (as PyTorch's clamp), zero outside", () => {
    expect(gradientAt("clip", { min: -1, max: 2 }, [6], [-3, -1, 0, 2, 2.5, 1])).toEqual([0, 1, 1, 1, 0, 1]);
  });

  it("hard_sigmoid is alpha strictly inside and zero at both kinks (as PyTorch's hardsigmoid)", () => {
    // alpha 0.5, beta 0.5: the kinks are at x = −1 (out 0) and x = 1 (out 1).
    const g = gradientAt("hard_sigmoid", { alpha: 0.5, beta: 0.5 }, [5], [-2, -1, 0, 1, 3]);
    expect(g).toEqual([0, 0, 0.5, 0, 0]);
  });

  it("max_pool2d gives a tied window's cotangent to its first tap in row-major order", () => {
    expect(gradientAt("max_pool2d", { kernel: 2, stride: 2 }, [1, 1, 2, 2], [3, 3, 3, 3])).toEqual([
      1, 0, 0, 0,
    ]);
  });

  it("max (the reduction) splits a tie evenly instead, as before", () => {
    expect(gradientAt("max", {}, [4], [3, 1, 3, 0])).toEqual([0.5, 0, 0.5, 0]);
  });
});

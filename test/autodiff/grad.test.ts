import { describe, expect, it } from "vitest";
import { grad, gradients } from "../../src/autodiff/index.js";
import { TesseraError } from "../../src/base/errors.js";
import { evaluateProgram, randomInputs } from "../../src/exec/reference/index.js";
import { program } from "../../src/frontend/index.js";
import { loadKernelDeclarationFile } from "../../src/kernels/declaration/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { extendRegistry, type KernelRegistry } from "../../src/kernels/registry.js";
import { rng } from "../kernels/library/kernel-harness.js";
import { thrownError } from "../support/thrown.js";
import { checkGradients } from "./gradient-harness.js";

const registry = builtinRegistry();

/** An MLP with a squared-error loss, in float64. */
function mlpLoss() {
  const p = program("mlp-loss");
  const x = p.input("x", [4, 3], "float64");
  const w1 = p.input("w1", [3, 5], "float64");
  const b1 = p.input("b1", [5], "float64");
  const w2 = p.input("w2", [5, 2], "float64");
  const target = p.input("target", [4, 2], "float64");
  const h = p.gelu(p.linear(x, w1, b1));
  const err = p.sub(p.linear(h, w2), target);
  p.output("loss", p.mean(p.mul(err, err)));
  return p.build();
}

describe("grad", () => {
  it("appends the backward pass and one grad_<w> output per wrt tensor, keeping the forward outputs", () => {
    const forward = mlpLoss();
    const { program: g, gradients: names } = gradients(
      forward,
      { loss: "loss", wrt: ["w1", "b1", "w2"] },
      registry,
    );
    expect(names).toEqual({ w1: "grad_w1", b1: "grad_b1", w2: "grad_w2" });
    expect(g.name).toBe("mlp-loss-grad");
    expect(g.outputs).toEqual(["loss", "grad_w1", "grad_b1", "grad_w2"]);
    expect(g.inputs).toEqual(forward.inputs);
    expect(g.operations.slice(0, forward.operations.length)).toEqual(forward.operations);
  });

  it("derives gradients equal to finite differences through a whole model (gelu, linear, broadcasting, mean)", () => {
    const forward = mlpLoss();
    const next = rng(11);
    checkGradients(forward, randomInputs(forward, 3), ["x", "w1", "b1", "w2", "target"], next, 40);
  });

  it("sums the cotangents of a tensor read twice and of parts of a tensor (concat, slices)", () => {
    const p = program("parts");
    const a = p.input("a", [2, 3], "float64");
    const b = p.input("b", [2, 2], "float64");
    const joined = p.concat([a, p.tanh(b)], 1); // [2, 5], written piecewise
    const left = p.slice(joined, { start: [0, 1], end: [2, 5], step: [1, 2] });
    const sq = p.mul(joined, joined);
    p.output("loss", p.add(p.sum(sq), p.sum(p.exp(left))));
    const forward = p.build();
    checkGradients(forward, randomInputs(forward, 5), ["a", "b"], rng(2), 40);
  });

  it("gives zeros for a wrt tensor the loss does not depend on", () => {
    const p = program("unused");
    const x = p.input("x", [3], "float64");
    p.input("unused", [2], "float64");
    p.output("loss", p.sum(p.mul(x, x)));
    const g = grad(p.build(), { loss: "loss", wrt: ["unused", "x"] }, registry);
    const inputs = randomInputs(g, 1);
    const out = evaluateProgram(g, inputs, registry);
    expect(Array.from(out.grad_unused!.data)).toEqual([0, 0]);
    expect(Array.from(out.grad_x!.data)).toEqual(Array.from(inputs.x!.data).map((v) => 2 * v));
  });

  it("differentiates a non-scalar loss as the sum of its elements", () => {
    const p = program("vector-loss");
    const x = p.input("x", [3], "float64");
    p.output("y", p.scale(x, { factor: 3 }));
    const g = grad(p.build(), { loss: "y", wrt: ["x"] }, registry);
    expect(Array.from(evaluateProgram(g, randomInputs(g, 1), registry).grad_x!.data)).toEqual([3, 3, 3]);
  });
});

describe("grad rejects what it cannot differentiate", () => {
  const forward = mlpLoss();
  it.each([
    ["a loss that is not a tensor", { loss: "nope", wrt: ["w1"] }, "unknown_tensor"],
    ["a wrt tensor that does not exist", { loss: "loss", wrt: ["w9"] }, "unknown_tensor"],
    ["an empty wrt", { loss: "loss", wrt: [] }, "invalid_argument"],
    ["a wrt tensor named twice", { loss: "loss", wrt: ["w1", "w1"] }, "invalid_argument"],
  ])("%s", (_what, opts, code) => {
    expect(thrownError(() => grad(forward, opts, registry)).code).toBe(code);
  });

  it("an int32 loss or wrt tensor (not_differentiable)", () => {
    const p = program("ints");
    const x = p.input("x", [3], "int32");
    const f = p.input("f", [3], "float64");
    p.output("count", p.sum(x));
    p.output("loss", p.sum(f));
    const built = p.build();
    expect(thrownError(() => grad(built, { loss: "count", wrt: ["x"] }, registry)).code).toBe(
      "not_differentiable",
    );
    expect(thrownError(() => grad(built, { loss: "loss", wrt: ["x"] }, registry)).code).toBe(
      "not_differentiable",
    );
  });

  it("a declared kernel without a VJP on the path, naming the operation", () => {
    const declared = loadKernelDeclarationFile(
      new URL("../fixtures/kernels/squared-distance.yaml", import.meta.url).pathname,
    );
    const withDeclared: KernelRegistry = extendRegistry(registry, [declared]);
    const p = program("declared", { kernels: [declared] });
    const x = p.input("x", [2, 3], "float64");
    const y = p.input("y", [4, 3], "float64");
    p.output("loss", p.sum(p.call("squared_distance", { x, y }, {}, { id: "dist" }).out!));
    const built = p.build();
    let error: unknown;
    try {
      grad(built, { loss: "loss", wrt: ["x"] }, withDeclared);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe("not_differentiable");
    expect((error as TesseraError).context).toMatchObject({ op: "dist", kernel: "squared_distance" });
  });

  it("a gradient output name that is taken (duplicate_id)", () => {
    const p = program("taken");
    const w = p.input("w", [2], "float64");
    p.input("grad_w", [2], "float64");
    p.output("loss", p.sum(w));
    expect(thrownError(() => grad(p.build(), { loss: "loss", wrt: ["w"] }, registry)).code).toBe(
      "duplicate_id",
    );
  });

  it("a missing registry (invalid_argument)", () => {
    expect(
      thrownError(() => grad(forward, { loss: "loss", wrt: ["w1"] }, undefined as unknown as KernelRegistry))
        .code,
    ).toBe("invalid_argument");
  });
});

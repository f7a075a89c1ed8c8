import { describe, expect, it } from "vitest";
import { grad } from "../../src/autodiff/index.js";
import { TesseraError } from "../../src/base/errors.js";
import { program } from "../../src/frontend/index.js";
import {
  checkKernelDeclaration,
  declaredKernel,
  loadKernelDeclarationFile,
} from "../../src/kernels/declaration/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { extendRegistry } from "../../src/kernels/registry.js";
import { rng } from "../kernels/library/kernel-harness.js";
import { checkGradients, lossProgram, values } from "./gradient-harness.js";

const fixture = (name: string) => new URL(`../fixtures/kernels/${name}`, import.meta.url).pathname;
const softplus = loadKernelDeclarationFile(fixture("softplus.yaml"));
const softplusGrad = loadKernelDeclarationFile(fixture("softplus-grad.yaml"));
const registry = extendRegistry(builtinRegistry(), [softplus, softplusGrad]);

describe("a VJP declared in a kernel file", () => {
  it("differentiates the declared kernel, equal to finite differences", () => {
    const next = rng(4);
    const { program: p, values: inputs } = lossProgram(
      "softplus",
      { x: values([3, 4], next, "any") },
      {},
      next,
      [softplus, softplusGrad],
    );
    checkGradients(p, inputs, ["x"], next, 12, registry);
  });

  const base = {
    version: 1,
    kernel: "twice",
    summary: "2x",
    inputs: [{ name: "x", shape: "[$n]", dtype: "float64" }],
    outputs: [{ name: "out", shape: "[$n]", dtype: "float64" }],
    index: "[i: $n]",
    projections: { x: "[i]", out: "[i]" },
    compute: "2 * x",
  };

  it.each([
    ["a vjp for something that is not an input", { y: { kernel: "scale", inputs: { x: "dout" } } }, "/vjp/y"],
    [
      "a binding to no input, output or cotangent",
      { x: { kernel: "scale", inputs: { x: "dy" } } },
      "/vjp/x/inputs/x",
    ],
  ])("rejects %s (invalid_declaration)", (_what, vjp, path) => {
    const { issues } = checkKernelDeclaration({ ...base, vjp });
    expect(issues.map((i) => [i.code, i.path])).toContainEqual(["invalid_declaration", path]);
  });

  it("rejects a declared VJP whose result has the wrong shape when a gradient is derived", () => {
    const decl = checkKernelDeclaration({
      ...base,
      vjp: { x: { kernel: "sum", inputs: { x: "dout" }, params: {} } },
    });
    const twice = declaredKernel(decl.declaration!);
    const p = program("twice", { kernels: [twice] });
    const x = p.input("x", [3], "float64");
    p.output("loss", p.sum(p.call("twice", { x }, {}).out!));
    let error: unknown;
    try {
      grad(p.build(), { loss: "loss", wrt: ["x"] }, extendRegistry(builtinRegistry(), [twice]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe("invalid_declaration");
  });
});

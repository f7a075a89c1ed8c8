/**
 * Every built-in kernel with a VJP: its derived gradient equals central finite differences of
 * the reference evaluator in float64, over random shapes and parameters (the same random
 * instances as the backend conformance suite, values redrawn in float64 away from kinks and
 * poles). fast-check prints the failing seed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUILTIN_KERNELS, type BuiltinKernelId } from "../../src/kernels/library/index.js";
import { KERNEL_CASES } from "../exec/backend/kernel-cases.js";
import { rng } from "../kernels/library/kernel-harness.js";
import { checkGradients, lossProgram, values } from "./gradient-harness.js";

const RUNS = process.env.TESSERA_DEEP ? 60 : 6;

/** Inputs that must stay away from zero: log and sqrt of x, division by b. */
const AWAY: Partial<Record<BuiltinKernelId, Record<string, "positive" | "nonzero">>> = {
  log: { x: "positive" },
  sqrt: { x: "positive" },
  div: { b: "nonzero" },
};

const isBuiltinId = (id: string): id is BuiltinKernelId => Object.hasOwn(BUILTIN_KERNELS, id);
const DIFFERENTIABLE = Object.keys(BUILTIN_KERNELS)
  .filter(isBuiltinId)
  .filter((id) => BUILTIN_KERNELS[id].vjp !== undefined);

describe.each(DIFFERENTIABLE)("the gradient of %s", (id) => {
  it("equals central finite differences in float64", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const next = rng(seed);
        const c = KERNEL_CASES[id](next);
        const inputs = Object.fromEntries(
          Object.entries(c.inputs).map(([name, r]) => [
            name,
            values(r.range.shape.toArray(), next, AWAY[id]?.[name] ?? "any"),
          ]),
        );
        const { program, values: all } = lossProgram(id, inputs, c.params, next);
        checkGradients(program, all, Object.keys(inputs), next);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("kernels without a VJP", () => {
  it("are the gradient kernels themselves (no second derivatives)", () => {
    const without = Object.keys(BUILTIN_KERNELS).filter(
      (id) => !DIFFERENTIABLE.includes(id as BuiltinKernelId),
    );
    expect(without.sort()).toEqual([
      "conv2d_input_grad",
      "conv2d_weight_grad",
      "gelu_erf_grad",
      "gelu_grad",
      "max_pool2d_grad",
    ]);
  });
});

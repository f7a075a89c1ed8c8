// What "equals the reference" means for a sharded run, shared by the local and distributed
// equality proofs (see test/exec/equality-proof.test.ts for why it is exact where it is).
import { expect } from "vitest";
import { compareOutputs } from "../../src/exec/compare-outputs.js";
import { evaluateProgram, programOutputs, termScales } from "../../src/exec/reference/index.js";
import { verifyTolerance } from "../../src/exec/verify-tolerance.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import type { Region } from "../../src/kernels/region.js";
import type { Plan } from "../../src/plan/index.js";

/** True when the plan splits a reduction folded by sum (sum, mean, matmul, linear, conv2d). */
export function splitsSumReduction(plan: Plan): boolean {
  return plan.operations.some((o) => {
    const op = plan.program.operations.find((p) => p.id === o.op)!;
    return op.signature.reductions.some(
      (r) => r.monoid === "sum" && o.sharding.boundaries[r.dim]!.length > 2,
    );
  });
}

/**
 * Expects `outputs` of a run of `plan` on `inputs` to equal the reference evaluator's: exactly
 * for int32 and for reference kernels when no sum-like reduction is split, within
 * `verifyTolerance` of the terms' scale otherwise.
 */
export function expectAgreesWithReference(
  plan: Plan,
  inputs: Readonly<Record<string, Region>>,
  outputs: Readonly<Record<string, Region>>,
  backend: "reference" | "onnx" = "reference",
): void {
  const program = plan.program;
  const values = evaluateProgram(program, inputs, builtinRegistry());
  const reference = programOutputs(program, values);
  // ONNX Runtime accumulates in the dtype and in its own order: only the tolerance holds.
  const mustBeExact = backend === "reference" && !splitsSumReduction(plan);
  for (const e of compareOutputs(outputs, reference, termScales(program, values))) {
    const dtype = reference[e.tensor]!.dtype;
    expect(e.comparable, `${e.tensor} has the reference's dtype and range`).toBe(true);
    if (dtype === "int32" || mustBeExact) {
      expect(
        e.exact,
        `${e.tensor} (${dtype}) must equal the reference exactly; max abs err ${e.maxAbs}`,
      ).toBe(true);
    } else {
      expect(e.maxRel, `${e.tensor} (${dtype}) max rel err`).toBeLessThanOrEqual(verifyTolerance(dtype));
    }
  }
}

// Library entry points check their own arguments: a missing registry is a typed error.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isTesseraError } from "../../src/base/errors.js";
import { evaluateProgram, randomInputs } from "../../src/exec/index.js";
import { parseProgram, validateProgram } from "../../src/ir/index.js";
import type { KernelRegistry } from "../../src/kernels/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { parsePlan, validatePlan } from "../../src/plan/index.js";
import { thrown } from "../support/thrown.js";

const programJson = JSON.parse(readFileSync("examples/mlp.json", "utf8")) as unknown;
const planJson = { version: 1, kind: "plan", program: programJson, devices: ["d0"], operations: [] };
const none = undefined as unknown as KernelRegistry;

describe("library entry points without a registry", () => {
  it.each([
    ["parsePlan", () => parsePlan(planJson, none)],
    ["validatePlan", () => validatePlan(planJson, none)],
    ["parseProgram", () => parseProgram(programJson, none)],
    ["validateProgram", () => validateProgram(programJson, none)],
    [
      "evaluateProgram",
      () => {
        const program = parseProgram(programJson, builtinRegistry());
        return evaluateProgram(program, randomInputs(program, 0), none);
      },
    ],
  ] as const)("%s: invalid_argument naming the registry", (_name, call) => {
    const error = thrown(call);
    expect(isTesseraError(error)).toBe(true);
    expect(error).toMatchObject({
      code: "invalid_argument",
      context: { argument: "registry", found: "undefined" },
    });
  });
});

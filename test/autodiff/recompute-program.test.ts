// Recomputation as a rewrite of a built training step: which activations a plan may recompute,
// the copies it inserts, and the numbers it leaves alone.
import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { buildMlpTrain } from "../../examples/mlp-train.js";
import {
  cheapRecomputable,
  forwardTensors,
  recomputableActivations,
  recomputeIssues,
  recomputeProgram,
  trainStep,
} from "../../src/autodiff/index.js";
import { evaluateProgram, programOutputs, randomInputs } from "../../src/exec/reference/index.js";
import { program as newProgram } from "../../src/frontend/index.js";
import { programToJson } from "../../src/ir/encode-program.js";
import { validateProgram } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { thrownError } from "../support/thrown.js";

const registry = builtinRegistry();
const step = buildMlpTrain(4, 6, 8, 3);

/** tanh then sigmoid: both VJPs read their outputs, a chain of activations the backward keeps. */
function chainStep() {
  const p = newProgram("chain");
  const x = p.input("x", [4, 6]);
  const w = p.input("w", [6, 5]);
  const s = p.sigmoid(p.tanh(p.matmul(x, w, { id: "mm" }), { id: "t" }), { id: "s" });
  p.output("loss", p.mean(p.mul(s, s)));
  return trainStep(p.build(), { loss: "loss", params: ["w"], optimizer: { kind: "sgd", lr: 0.1 } }, registry);
}

describe("recomputable activations", () => {
  it("are the forward tensors the backward reads, written whole by one operation, not inputs or outputs", () => {
    const ids = recomputableActivations(step);
    // relu's and softmax's VJPs read their outputs; fc1 and log_probs only feed the forward.
    expect(ids).toEqual(["act1", "probs"]);
    const forward = forwardTensors(step);
    for (const id of ids) {
      expect(forward.has(id), id).toBe(true);
      expect(step.inputs).not.toContain(id);
      expect(step.outputs).not.toContain(id);
    }
    expect(forward.has("new_w1")).toBe(false);
  });

  it("are the cheap kernels' outputs among them for the cheap set", () => {
    expect(cheapRecomputable(step)).toEqual(["act1", "probs"]);
    expect(recomputableActivations(chainStep())).toEqual(expect.arrayContaining(["t", "s"]));
    expect(cheapRecomputable(chainStep())).not.toContain("mm");
  });

  it("do not exist in a forward program", () => {
    expect(recomputableActivations(buildMlp())).toEqual([]);
  });
});

describe("recomputeProgram", () => {
  it("inserts a copy of each producer before the first backward reader, and reads it there", () => {
    const { program, copies } = recomputeProgram(step, ["act1", "probs"]);
    expect(copies).toEqual({ "recompute.act1": "act1", "recompute.probs": "probs" });
    const ids = program.operations.map((o) => o.id);
    expect(program.operations.length).toBe(step.operations.length + 2);
    for (const [copy] of Object.entries(copies)) {
      const out = program.operations.find((o) => o.id === copy)!.outputs[0]!.tensor;
      const readers = program.operations.filter((o) => o.inputs.some((s) => s.tensor === out));
      expect(readers.length).toBeGreaterThan(0);
      for (const r of readers) expect(ids.indexOf(r.id)).toBeGreaterThan(ids.indexOf(copy));
    }
    // The forward still reads the kept tensor; no backward operation does.
    const forward = forwardTensors(step);
    for (const op of program.operations) {
      const backward = !op.outputs.some((s) => forward.has(s.tensor));
      if (backward) expect(op.inputs.map((s) => s.tensor)).not.toContain("act1");
    }
    expect(validateProgram(programToJson(program), registry).issues).toEqual([]);
  });

  it("recomputes a chain from the nearest kept tensor", () => {
    const { program } = recomputeProgram(chainStep(), ["t", "s"]);
    const s = program.operations.find((o) => o.id === "recompute.s")!;
    expect(s.inputs[0]!.tensor).toBe("recompute.t");
    const ids = program.operations.map((o) => o.id);
    expect(ids.indexOf("recompute.t")).toBeLessThan(ids.indexOf("recompute.s"));
  });

  it("computes the same numbers, bit for bit", () => {
    const { program } = recomputeProgram(step, recomputableActivations(step));
    const inputs = randomInputs(step, 5);
    const a = programOutputs(step, evaluateProgram(step, inputs, registry));
    const b = programOutputs(program, evaluateProgram(program, inputs, registry));
    for (const id of step.outputs) expect(Array.from(b[id]!.data), id).toEqual(Array.from(a[id]!.data));
  });

  it("leaves the program alone for an empty set", () => {
    const { program, copies } = recomputeProgram(step, []);
    expect(program.operations).toEqual(step.operations);
    expect(copies).toEqual({});
  });

  it.each([
    ["a tensor that does not exist", "nope", "not a tensor of the program"],
    ["a program input", "w1", "a program input"],
    ["a program output", "loss", "a program output"],
    ["a forward tensor no backward reads", "fc1", "not an activation"],
  ])("refuses %s with not_recomputable", (_what, id, why) => {
    const error = thrownError(() => recomputeProgram(step, [id]));
    expect(error.code).toBe("not_recomputable");
    expect(error.summary).toContain(`'${id}'`);
    expect(error.summary).toContain(why);
    expect(error.context.tensor).toBe(id);
  });

  it("refuses a forward program's tensors, saying it has no backward", () => {
    const error = thrownError(() => recomputeProgram(buildMlp(), ["act1"]));
    expect(error.code).toBe("not_recomputable");
    expect(error.summary).toContain("no backward pass");
  });

  it("reports every bad entry with its position, a repeated one as duplicate_id", () => {
    const issues = recomputeIssues(step, ["act1", "x", "act1"]);
    expect(issues.map((i) => [i.index, i.code])).toEqual([
      [1, "not_recomputable"],
      [2, "duplicate_id"],
    ]);
    expect(thrownError(() => recomputeProgram(step, ["act1", "act1"])).code).toBe("duplicate_id");
  });
});

// The forward/backward split of a training step, which recomputation and the simulator's memory
// kinds both read.
import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { buildMlpTrain } from "../../examples/mlp-train.js";
import { backwardReads, forwardTensors } from "../../src/autodiff/forward-tensors.js";

const step = buildMlpTrain(4, 6, 8, 3);

describe("forwardTensors", () => {
  it("holds the loss and everything it is computed from, not the updated weights", () => {
    const forward = forwardTensors(step);
    const loss = step.outputs.find((o) => step.tensors.find((t) => t.id === o)!.range.rank === 0)!;
    expect(forward.has(loss)).toBe(true);
    for (const op of step.operations.filter((o) => o.outputs.some((s) => forward.has(s.tensor))))
      for (const s of op.inputs) expect(forward.has(s.tensor), s.tensor).toBe(true);
    expect(forward.has("new_w1")).toBe(false);
  });

  it("is empty for a program without a scalar output", () => {
    expect(forwardTensors(buildMlp()).size).toBe(0);
  });
});

describe("backwardReads", () => {
  it("are exactly the tensors an operation writing no forward tensor reads", () => {
    const forward = forwardTensors(step);
    const reads = backwardReads(step, forward);
    const backward = step.operations.filter((o) => !o.outputs.some((s) => forward.has(s.tensor)));
    expect(reads).toEqual(new Set(backward.flatMap((o) => o.inputs.map((s) => s.tensor))));
    // relu's VJP reads its output: the backward keeps the activation alive.
    expect(reads.has("act1")).toBe(true);
  });

  it("are every tensor read when there is no forward", () => {
    const program = buildMlp();
    expect(backwardReads(program, new Set())).toEqual(
      new Set(program.operations.flatMap((o) => o.inputs.map((s) => s.tensor))),
    );
  });
});

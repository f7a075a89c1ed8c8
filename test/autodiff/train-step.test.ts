import { describe, expect, it } from "vitest";
import { checkOptimizer, gradients, type Optimizer, trainStepProgram } from "../../src/autodiff/index.js";
import { TesseraError } from "../../src/base/errors.js";
import { evaluateProgram, randomInputs } from "../../src/exec/reference/index.js";
import { program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import type { Region } from "../../src/kernels/region.js";

const registry = builtinRegistry();

function regression() {
  const p = program("regression");
  const x = p.input("x", [6, 3], "float64");
  const w = p.input("w", [3, 2], "float64");
  const b = p.input("b", [2], "float64");
  const y = p.input("y", [6, 2], "float64");
  const err = p.sub(p.linear(x, w, b), y);
  p.output("loss", p.mean(p.mul(err, err)));
  return p.build();
}

const arr = (r: Region) => Array.from(r.data);

/** Expects `got` to equal `want` element by element to 12 digits. */
function expectValues(got: number[], want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  for (const [i, v] of got.entries()) expect(v).toBeCloseTo(want[i]!, 12);
}

/** The update each optimizer makes, written out by hand from the gradient `g`. */
function expected(opt: Optimizer, w: number[], g: number[], m: number[], v: number[]) {
  switch (opt.kind) {
    case "sgd":
      return { w: w.map((x, i) => x - opt.lr * g[i]!) };
    case "momentum": {
      const nm = m.map((x, i) => 0.9 * x + g[i]!);
      return { w: w.map((x, i) => x - opt.lr * nm[i]!), m: nm };
    }
    case "adam": {
      const t = opt.step ?? 1;
      const nm = m.map((x, i) => 0.9 * x + 0.1 * g[i]!);
      const nv = v.map((x, i) => 0.999 * x + 0.001 * g[i]! * g[i]!);
      const w2 = w.map((x, i) => {
        const mh = nm[i]! / (1 - 0.9 ** t);
        const vh = nv[i]! / (1 - 0.999 ** t);
        return x - (opt.lr * mh) / (Math.sqrt(vh) + 1e-8);
      });
      return { w: w2, m: nm, v: nv };
    }
  }
}

describe("trainStep", () => {
  const forward = regression();

  it.each<Optimizer>([
    { kind: "sgd", lr: 0.1 },
    { kind: "momentum", lr: 0.05 },
    { kind: "adam", lr: 0.01, step: 3 },
  ])("applies $kind to every weight, with states as inputs and new states as outputs", (opt) => {
    const step = trainStepProgram(forward, { loss: "loss", params: ["w", "b"], optimizer: opt }, registry);
    const states = opt.kind === "sgd" ? [] : opt.kind === "momentum" ? ["m"] : ["m", "v"];
    expect(step.program.inputs).toEqual([
      ...forward.inputs,
      ...states.map((s) => `${s}_w`),
      ...states.map((s) => `${s}_b`),
    ]);
    expect(step.weights.w).toEqual({
      updated: "new_w",
      states: Object.fromEntries(states.map((s) => [s, { input: `${s}_w`, updated: `new_${s}_w` }])),
    });
    const inputs = randomInputs(step.program, 4);
    for (const id of step.program.inputs.filter((i) => i.startsWith("v_"))) {
      inputs[id] = { ...inputs[id]!, data: inputs[id]!.data.map(Math.abs) };
    }
    const out = evaluateProgram(step.program, inputs, registry);
    const g = evaluateProgram(
      gradients(forward, { loss: "loss", wrt: ["w", "b"] }, registry).program,
      inputs,
      registry,
    );
    for (const w of ["w", "b"]) {
      const want = expected(
        opt,
        arr(inputs[w]!),
        arr(g[`grad_${w}`]!),
        arr(inputs[`m_${w}`] ?? inputs[w]!),
        arr(inputs[`v_${w}`] ?? inputs[w]!),
      );
      expectValues(arr(out[`new_${w}`]!), want.w);
      if (want.m) expectValues(arr(out[`new_m_${w}`]!), want.m);
      if ("v" in want && want.v) expectValues(arr(out[`new_v_${w}`]!), want.v);
    }
    expect(out.loss!.data.length).toBe(1);
  });

  it("counts what it holds beyond the forward: weights, states, gradients, kept activations", () => {
    const opt: Optimizer = { kind: "adam", lr: 0.01 };
    const { memory } = trainStepProgram(
      forward,
      { loss: "loss", params: ["w", "b"], optimizer: opt },
      registry,
    );
    const weights = (3 * 2 + 2) * 8;
    // The backward reads x (an input, not counted), err [6, 2] (mul's VJP) and the loss (its seed).
    expect(memory).toEqual({
      weights,
      optimizerStates: 2 * weights,
      gradients: weights,
      keptActivations: 6 * 2 * 8 + 8,
    });
  });

  it("lowers the loss when its outputs are fed back as inputs", () => {
    const opt: Optimizer = { kind: "momentum", lr: 0.05 };
    const step = trainStepProgram(forward, { loss: "loss", params: ["w", "b"], optimizer: opt }, registry);
    let inputs = randomInputs(step.program, 9);
    for (const s of ["m_w", "m_b"]) inputs[s]!.data.fill(0);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const out = evaluateProgram(step.program, inputs, registry);
      losses.push(out.loss!.data[0]!);
      inputs = { ...inputs, w: out.new_w!, b: out.new_b!, m_w: out.new_m_w!, m_b: out.new_m_b! };
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
  });

  it.each([
    ["an unknown optimizer kind", { kind: "lbfgs", lr: 1 }],
    ["a learning rate that is not positive", { kind: "sgd", lr: 0 }],
    ["a momentum of 1", { kind: "momentum", lr: 0.1, momentum: 1 }],
    ["a fractional Adam step", { kind: "adam", lr: 0.1, step: 1.5 }],
    ["a negative epsilon", { kind: "adam", lr: 0.1, eps: -1 }],
    ["no object at all", "adam"],
  ])("rejects %s (invalid_argument)", (_what, raw) => {
    expect(() => checkOptimizer(raw)).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });

  it("rejects a parameter that is an intermediate tensor, not a program input", () => {
    let error: unknown;
    try {
      trainStepProgram(
        forward,
        {
          loss: "loss",
          params: [forward.operations[0]!.outputs[0]!.tensor],
          optimizer: { kind: "sgd", lr: 1 },
        },
        registry,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe("invalid_argument");
  });
});

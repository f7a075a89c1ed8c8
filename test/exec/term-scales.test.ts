import { describe, expect, it } from "vitest";
import { compareOutputs } from "../../src/exec/compare-outputs.js";
import { evaluateProgram, programOutputs, randomInputs, termScales } from "../../src/exec/reference/index.js";
import { program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { ZRange } from "../../src/zspace/index.js";

const registry = builtinRegistry();

/** The mean of layer-normalized rows: ~0 by construction, from terms of magnitude ~1. */
function cancelling() {
  const p = program("cancel");
  const x = p.input("x", [4, 64]);
  const side = p.input("s", [4, 1]);
  const h = p.layerNorm(x, undefined, undefined, { normalizedDims: 1 }, { id: "ln" });
  p.output("y", p.mean(h, { dims: [1], keepdims: true }, { id: "m" }));
  p.output("z", p.relu(side, { id: "r" }));
  return p.build();
}

describe("termScales", () => {
  const prog = cancelling();
  const values = evaluateProgram(prog, randomInputs(prog, 3), registry);
  const maxAbs = (t: string) => Math.max(...Array.from(values[t]!.data, Math.abs));

  it("is the largest magnitude the output is computed from, not the output's own", () => {
    const scales = termScales(prog, values);
    expect(maxAbs("y")).toBeLessThan(1e-6);
    const lnOut = prog.operations.find((o) => o.id === "ln")!.outputs[0]!.tensor;
    expect(scales.y).toBe(Math.max(maxAbs("x"), maxAbs(lnOut), maxAbs("y")));
    expect(scales.y).toBeGreaterThan(1);
  });

  it("looks only upstream: an output from other inputs keeps its own scale", () => {
    const scales = termScales(prog, values);
    expect(scales.z).toBe(Math.max(maxAbs("s"), maxAbs("z")));
  });

  it("sets the scale compareOutputs measures errors against", () => {
    const reference = programOutputs(prog, values);
    const y = reference.y!;
    const off = { ...y, data: Float32Array.from(y.data, (v) => v + 1e-7) };
    const actual = { y: off, z: reference.z! };
    const [plain] = compareOutputs(actual, { y });
    const [scaled] = compareOutputs(actual, { y }, termScales(prog, values));
    expect(plain!.maxRel).toBeGreaterThan(0.01);
    expect(scaled!.maxRel).toBeLessThan(1e-6);
    expect(scaled!.maxAbs).toBe(plain!.maxAbs);
    expect(y.range.equals(ZRange.fromShape([4, 1]))).toBe(true);
  });
});

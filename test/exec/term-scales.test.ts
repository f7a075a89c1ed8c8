import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareOutputs } from "../../src/exec/compare-outputs.js";
import { evaluateProgram, programOutputs, randomInputs, termScales } from "../../src/exec/reference/index.js";
import { verifyTolerance, withinTolerance } from "../../src/exec/verify-tolerance.js";
import { program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makeRegion, type Region } from "../../src/kernels/region.js";
import { ZRange } from "../../src/zspace/index.js";

const registry = builtinRegistry();
const deep = process.env.TESSERA_DEEP === "1";

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

const float32 = (shape: number[], values: readonly number[]): Region =>
  makeRegion("float32", ZRange.fromShape(shape), Float32Array.from(values));

/** Whether `run --verify` passes `actual` for the program's single output `y`. */
function verifies(prog: ReturnType<typeof cancelling>, inputs: Record<string, Region>, actual: Region) {
  const values = evaluateProgram(prog, inputs, registry);
  const reference = programOutputs(prog, values);
  const [error] = compareOutputs({ y: actual }, { y: reference.y! }, termScales(prog, values));
  return withinTolerance(error!, "float32");
}

describe("termScales", () => {
  const prog = cancelling();
  const values = evaluateProgram(prog, randomInputs(prog, 3), registry);
  const maxAbs = (t: string) => Math.max(...Array.from(values[t]!.data, Math.abs));

  it("carries the magnitude of a sum's terms, not the sum's own", () => {
    const scales = termScales(prog, values);
    expect(maxAbs("y")).toBeLessThan(1e-6);
    const lnOut = prog.operations.find((o) => o.id === "ln")!.outputs[0]!.tensor;
    expect(scales.y).toBe(Math.max(maxAbs(lnOut), maxAbs("y")));
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

  it("gives a normalized output its own scale: layer_norm of [3e38, −3e38] returning 0 fails", () => {
    const p = program("huge-rows");
    p.output("y", p.layerNorm(p.input("x", [2, 2]), undefined, undefined, { normalizedDims: 1 }));
    const prog = p.build();
    const inputs = { x: float32([2, 2], [3e38, -3e38, -1e38, 1e38]) };
    const values = evaluateProgram(prog, inputs, registry);
    expect(termScales(prog, values).y).toBeCloseTo(1, 3);
    expect(verifies(prog, inputs, float32([2, 2], [0, 0, 0, 0]))).toBe(false);
    expect(verifies(prog, inputs, programOutputs(prog, values).y!)).toBe(true);
  });

  it("shrinks a saturated sigmoid's scale: returning 0 for sigmoid(−30) fails", () => {
    const p = program("saturated");
    const x = p.input("x", [4]);
    p.output("y", p.sigmoid(p.mul(x, x)));
    const prog = p.build();
    const inputs = { x: float32([4], [6, 6, 5.5, 5.6]) };
    const values = evaluateProgram(prog, inputs, registry);
    const want = programOutputs(prog, values).y!;
    expect(verifies(prog, inputs, want)).toBe(true);
    expect(verifies(prog, inputs, float32([4], [0, 0, 0, 0]))).toBe(false);
  });

  it("treats program inputs as exact: sigmoid of an input is judged against its own output", () => {
    const p = program("input-sigmoid");
    p.output("y", p.sigmoid(p.input("x", [3]), { id: "y" }));
    const prog = p.build();
    const values = evaluateProgram(prog, { x: float32([3], [-30, -40, -50]) }, registry);
    expect(termScales(prog, values).y).toBe(Math.max(...Array.from(values.y!.data, Math.abs)));
  });
});

/** Programs whose every output is bounded by its own magnitude, whatever the inputs' magnitudes. */
const NORMALIZING = {
  layerNorm: (p: ReturnType<typeof program>, x: ReturnType<ReturnType<typeof program>["input"]>) =>
    p.layerNorm(x, undefined, undefined, { normalizedDims: 1 }),
  softmax: (p: ReturnType<typeof program>, x: ReturnType<ReturnType<typeof program>["input"]>) =>
    p.softmax(x),
  softmaxOfLayerNorm: (p: ReturnType<typeof program>, x: ReturnType<ReturnType<typeof program>["input"]>) =>
    p.softmax(p.layerNorm(x, undefined, undefined, { normalizedDims: 1 })),
  sigmoid: (p: ReturnType<typeof program>, x: ReturnType<ReturnType<typeof program>["input"]>) =>
    p.sigmoid(x),
  tanh: (p: ReturnType<typeof program>, x: ReturnType<ReturnType<typeof program>["input"]>) => p.tanh(x),
};

describe("run --verify on outputs wrong by more than the tolerance", () => {
  const value = fc.float({
    min: Math.fround(-3e38),
    max: Math.fround(3e38),
    noNaN: true,
    noDefaultInfinity: true,
  });
  it.each(Object.keys(NORMALIZING) as (keyof typeof NORMALIZING)[])(
    "fails for %s, at any input magnitude",
    (kind) => {
      const p = program(kind);
      p.output("y", NORMALIZING[kind](p, p.input("x", [2, 4])));
      const prog = p.build();
      fc.assert(
        fc.property(
          fc.array(value, { minLength: 8, maxLength: 8 }),
          fc.nat(7),
          fc.double({ min: 2, max: 1e6, noNaN: true }),
          (xs, at, factor) => {
            const inputs = { x: float32([2, 4], xs) };
            const want = programOutputs(prog, evaluateProgram(prog, inputs, registry)).y!;
            const own = Math.max(...Array.from(want.data, Math.abs));
            fc.pre(own > 1e-30 && Number.isFinite(want.data[at]!));
            const wrong = Float32Array.from(want.data);
            wrong[at] = want.data[at]! + factor * verifyTolerance("float32") * own;
            fc.pre(Math.abs(wrong[at]! - want.data[at]!) > verifyTolerance("float32") * own);
            expect(verifies(prog, inputs, { ...want, data: wrong })).toBe(false);
            expect(verifies(prog, inputs, want)).toBe(true);
          },
        ),
        { numRuns: deep ? 2000 : 100 },
      );
    },
  );
});

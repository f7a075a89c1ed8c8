// The reference evaluator against computations written out here with plain loops: the ground
// truth every other executor is checked against must itself be checked against something simpler.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TesseraError, ValidationError } from "../../src/base/errors.js";
import type { JsonValue } from "../../src/base/json.js";
import {
  checkInputValues,
  evaluateProgram,
  evaluateProgramWith,
  programOutputs,
  randomInputs,
  summarizeTensor,
} from "../../src/exec/index.js";
import { loadProgramFile, program } from "../../src/frontend/index.js";
import { type Program, parseProgram, programToJson } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import type { Region } from "../../src/kernels/region.js";
import { ZRange } from "../../src/zspace/index.js";
import { thrown } from "../support/thrown.js";
import { tensor, valuesOf } from "./tensor-values.js";

const registry = builtinRegistry();

function evaluate(prog: Program, inputs: Record<string, Region>): Record<string, number[]> {
  const outputs = programOutputs(prog, evaluateProgram(prog, inputs, registry));
  return Object.fromEntries(Object.entries(outputs).map(([id, r]) => [id, valuesOf(r)]));
}

/** Asserts `actual` equals `expected` elementwise within `tolerance`. */
function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    expect(Math.abs(v - expected[i]!), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance);
  });
}

/** Row-major `a [m, k] · b [k, n]`. */
function matmulLoops(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) out[i * n + j]! += a[i * k + t]! * b[t * n + j]!;
  return out;
}

describe("a two-layer MLP: softmax(relu(x·W1 + b1)·W2 + b2)", () => {
  const [batch, dIn, dHidden, dOut] = [3, 4, 5, 2];
  const p = program("mlp");
  const x = p.input("x", [batch, dIn]);
  const w1 = p.input("w1", [dIn, dHidden]);
  const b1 = p.input("b1", [dHidden]);
  const w2 = p.input("w2", [dHidden, dOut]);
  const b2 = p.input("b2", [dOut]);
  const h = p.relu(p.add(p.matmul(x, w1), b1));
  p.output("hidden", h);
  p.output("probs", p.softmax(p.linear(h, w2, b2), { dim: -1 }));
  const mlp = p.build();

  function byHand(inputs: Record<string, Region>): { hidden: number[]; probs: number[] } {
    const d = (id: string) => inputs[id]!.data;
    const hidden = matmulLoops(d("x"), d("w1"), batch, dIn, dHidden).map((v, i) =>
      Math.max(0, v + d("b1")[i % dHidden]!),
    );
    const logits = matmulLoops(hidden, d("w2"), batch, dHidden, dOut).map((v, i) => v + d("b2")[i % dOut]!);
    const probs: number[] = [];
    for (let r = 0; r < batch; r++) {
      const row = logits.slice(r * dOut, (r + 1) * dOut);
      const total = row.reduce((s, v) => s + Math.exp(v), 0);
      probs.push(...row.map((v) => Math.exp(v) / total));
    }
    return { hidden, probs };
  }

  it.each([1, 2, 3])("matches the loops on random inputs (seed %i)", (seed) => {
    const inputs = randomInputs(mlp, seed);
    const got = evaluate(mlp, inputs);
    const want = byHand(inputs);
    expectClose(got.hidden!, want.hidden);
    expectClose(got.probs!, want.probs);
  });

  it("each softmax row sums to 1", () => {
    const probs = evaluate(mlp, randomInputs(mlp, 5)).probs!;
    for (let r = 0; r < batch; r++) expectClose([probs[r * dOut]! + probs[r * dOut + 1]!], [1]);
  });
});

/**
 * `doc` with operand `operand` of operation `opId` bound to the box of tensor `into` starting at
 * `start`, instead of the whole tensor it read: the program an author writes to read part of a
 * tensor in place. The stored projection moves with the operand, as the program format requires.
 */
function bindToPart(
  doc: JsonValue,
  opId: string,
  operand: string,
  into: { id: string; range: ZRange },
  start: readonly number[],
): JsonValue {
  interface Doc {
    tensors: { id: string; dtype: string; range: unknown }[];
    operations: {
      id: string;
      inputs: { name: string; tensor: string; range: { start: number[]; end: number[] } }[];
      signature: { inputs: Record<string, { map: { offset: number[] } }> };
    }[];
    inputs: string[];
  }
  const d = structuredClone(doc) as unknown as Doc;
  const op = d.operations.find((o) => o.id === opId)!;
  const sel = op.inputs.find((s) => s.name === operand)!;
  const old = sel.tensor;
  const shape = sel.range.end.map((e, i) => e - sel.range.start[i]!);
  sel.tensor = into.id;
  sel.range = { start: start.slice(), end: start.map((s, i) => s + shape[i]!) };
  const map = op.signature.inputs[operand]!.map;
  map.offset = map.offset.map((o, i) => o + start[i]!);
  const decl = d.tensors.find((t) => t.id === old)!;
  d.tensors = d.tensors.map((t) =>
    t.id === old ? { id: into.id, dtype: decl.dtype, range: into.range.toJSON() } : t,
  );
  d.inputs = d.inputs.map((id) => (id === old ? into.id : id));
  return d as unknown as JsonValue;
}

describe("an operand bound to part of a tensor sees only that part", () => {
  // conv2d with padding 1 over the 4×4 interior of a 6×6 tensor whose border is 100: the padding
  // must read zeros, never the neighbouring border elements that lie inside the larger tensor.
  const interior = Array.from({ length: 16 }, (_, i) => i + 1);
  const filter = [1, 2, 0, -1, 1, 0, 0, 3, 1];
  const big = Array.from({ length: 36 }, (_, i) => {
    const [r, c] = [Math.floor(i / 6), i % 6];
    return r === 0 || r === 5 || c === 0 || c === 5 ? 100 : interior[(r - 1) * 4 + (c - 1)]!;
  });

  /** conv2d of the 4×4 `interior` with the 3×3 `filter`, zero padding 1, by hand. */
  function convByHand(): number[] {
    const at = (r: number, c: number) => (r < 0 || r >= 4 || c < 0 || c >= 4 ? 0 : interior[r * 4 + c]!);
    const out: number[] = [];
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < 3; b++) s += filter[a * 3 + b]! * at(i + a - 1, j + b - 1);
        out.push(s);
      }
    return out;
  }

  function convProgram(): Program {
    const p = program("conv");
    const y = p.conv2d(
      p.input("x", [1, 1, 4, 4]),
      p.input("w", [1, 1, 3, 3]),
      { padding: [1, 1] },
      { id: "conv" },
    );
    p.output("y", y);
    return p.build();
  }

  it("the unsliced program computes the zero-padded convolution", () => {
    const values = evaluate(convProgram(), {
      x: tensor([1, 1, 4, 4], interior),
      w: tensor([1, 1, 3, 3], filter),
    });
    expect(values.y).toEqual(convByHand());
  });

  it("conv2d over the interior of a larger tensor pads with zeros, not the tensor's border", () => {
    const bigRange = ZRange.fromShape([1, 1, 6, 6]);
    const doc = bindToPart(
      programToJson(convProgram()),
      "conv",
      "x",
      { id: "big", range: bigRange },
      [0, 0, 1, 1],
    );
    const sliced = parseProgram(doc, registry);
    expect(sliced.operations[0]!.inputs[0]!.range.toString()).toBe("[0:1, 0:1, 1:5, 1:5)");
    const values = evaluate(sliced, { big: tensor(bigRange, big), w: tensor([1, 1, 3, 3], filter) });
    expect(values.y).toEqual(convByHand());
  });

  it("the same holds when the larger tensor's range does not start at the origin", () => {
    const bigRange = ZRange.fromBounds([0, 0, -1, -1], [1, 1, 5, 5]);
    const doc = bindToPart(
      programToJson(convProgram()),
      "conv",
      "x",
      { id: "big", range: bigRange },
      [0, 0, 0, 0],
    );
    const values = evaluate(parseProgram(doc, registry), {
      big: tensor(bigRange, big),
      w: tensor([1, 1, 3, 3], filter),
    });
    expect(values.y).toEqual(convByHand());
  });

  it("a reduction over a slice sums only the slice", () => {
    const p = program("rowsum");
    p.output("s", p.sum(p.input("x", [2, 2]), { dims: [1] }, { id: "total" }));
    const whole = ZRange.fromShape([3, 4]);
    const doc = bindToPart(programToJson(p.build()), "total", "x", { id: "m", range: whole }, [1, 2]);
    // m = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]; the slice is rows 1..2, columns 2..3.
    const values = evaluate(parseProgram(doc, registry), {
      m: tensor(whole, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    });
    expect(values.s).toEqual([6 + 7, 10 + 11]);
  });
});

describe("concat and int32 reductions are exact", () => {
  const x = [
    [3, -1, 4, 1],
    [-5, 9, 2, -6],
    [5, 3, -5, 8],
  ];
  const flat = x.flat();

  it("concat along dim 0 of int32 parts stacks their rows", () => {
    const p = program();
    const a = p.input("a", [1, 2], "int32");
    const b = p.input("b", [2, 2], "int32");
    const c = p.input("c", [1, 2], "int32");
    p.output("abc", p.concat([a, b, c], 0));
    const values = evaluate(p.build(), {
      a: tensor([1, 2], [1, 2], "int32"),
      b: tensor([2, 2], [3, 4, 5, 6], "int32"),
      c: tensor([1, 2], [7, 8], "int32"),
    });
    expect(values.abc).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("sum, max and min over int32 match the loops exactly, with and without keepdims", () => {
    const p = program();
    const t = p.input("x", [3, 4], "int32");
    p.output("rowSums", p.sum(t, { dims: [1] }));
    p.output("total", p.sum(t));
    p.output("colMax", p.max(t, { dims: [0] }));
    p.output("rowMin", p.min(t, { dims: [-1], keepdims: true }));
    const prog = p.build();
    const values = evaluate(prog, { x: tensor([3, 4], flat, "int32") });
    expect(values).toEqual({
      rowSums: x.map((row) => row.reduce((s, v) => s + v, 0)),
      total: [flat.reduce((s, v) => s + v, 0)],
      colMax: [0, 1, 2, 3].map((j) => Math.max(...x.map((row) => row[j]!))),
      rowMin: x.map((row) => Math.min(...row)),
    });
    const rowMin = prog.tensors.find((d) => d.id === "rowMin")!;
    expect(rowMin.dtype).toBe("int32");
    expect(rowMin.range.shape.toArray()).toEqual([3, 1]);
  });

  it("an int32 sum wraps mod 2^32, like C", () => {
    const p = program();
    p.output("s", p.sum(p.input("x", [2], "int32")));
    expect(evaluate(p.build(), { x: tensor([2], [2 ** 31 - 1, 1], "int32") }).s).toEqual([-(2 ** 31)]);
  });
});

describe("randomInputs", () => {
  const p = program();
  p.output("f32", p.neg(p.input("a", [40, 25])));
  p.output("f64", p.neg(p.input("b", [300], "float64")));
  p.output("i32", p.neg(p.input("c", [30, 40], "int32")));
  const prog = p.build();

  it("gives every program input a value of its declared dtype and range", () => {
    const inputs = randomInputs(prog, 0);
    expect(Object.keys(inputs)).toEqual(["a", "b", "c"]);
    for (const id of prog.inputs) {
      const decl = prog.tensors.find((t) => t.id === id)!;
      expect(inputs[id]!.dtype).toBe(decl.dtype);
      expect(inputs[id]!.range.equals(decl.range)).toBe(true);
    }
    expect(() => checkInputValues(prog, inputs)).not.toThrow();
  });

  it("the same seed gives the same values; another seed gives other values", () => {
    const first = randomInputs(prog, 42);
    const again = randomInputs(prog, 42);
    const other = randomInputs(prog, 43);
    for (const id of prog.inputs) {
      expect(valuesOf(again[id]!)).toEqual(valuesOf(first[id]!));
      expect(valuesOf(other[id]!)).not.toEqual(valuesOf(first[id]!));
    }
  });

  it("floats are uniform in [-1, 1); int32 values are integers in [-8, 8], both ends reached", () => {
    const inputs = randomInputs(prog, 7);
    for (const id of ["a", "b"]) {
      const v = valuesOf(inputs[id]!);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...v)).toBeLessThan(1);
      expect(Math.min(...v)).toBeLessThan(-0.9);
      expect(Math.max(...v)).toBeGreaterThan(0.9);
    }
    const ints = valuesOf(inputs.c!);
    expect(ints.every(Number.isInteger)).toBe(true);
    expect(Math.min(...ints)).toBe(-8);
    expect(Math.max(...ints)).toBe(8);
  });
});

describe("input values are checked before anything runs", () => {
  const p = program();
  p.output("y", p.relu(p.input("x", [2, 2])));
  p.output("z", p.neg(p.input("k", [3], "int32")));
  const prog = p.build();
  const good = { x: tensor([2, 2], [1, -2, 3, -4]), k: tensor([3], [1, 2, 3], "int32") };

  it("a missing input is missing_input naming the tensor", () => {
    const error = thrown(() => evaluateProgram(prog, { x: good.x }, registry));
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "missing_input", context: { tensor: "k" } });
  });

  it("every missing or mismatched input is reported at once", () => {
    const error = thrown(() => evaluateProgram(prog, { x: tensor([4], [1, 2, 3, 4]) }, registry));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.code, i.path])).toEqual([
      ["input_mismatch", "/tensors/x"],
      ["missing_input", "/tensors/k"],
    ]);
  });

  it("an input named after an Object.prototype member is missing, not found on the prototype", () => {
    const q = program();
    q.output("y", q.relu(q.input("constructor", [2])));
    const error = thrown(() => checkInputValues(q.build(), {}));
    expect(error).toMatchObject({
      code: "missing_input",
      summary: "no value was given for program input 'constructor'",
    });
  });

  it.each([
    { what: "a wrong dtype", value: tensor([2, 2], [1, 2, 3, 4], "float64") },
    { what: "a wrong shape", value: tensor([4], [1, 2, 3, 4]) },
    {
      what: "the right shape at another origin",
      value: tensor(ZRange.fromBounds([1, 0], [3, 2]), [1, 2, 3, 4]),
    },
  ])("$what is input_mismatch stating expected and found", ({ value }) => {
    const error = thrown(() => checkInputValues(prog, { ...good, x: value }));
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({
      code: "input_mismatch",
      context: { tensor: "x", expected: "float32 [0:2, 0:2)" },
    });
    expect(thrown(() => evaluateProgram(prog, { ...good, x: value }, registry))).toMatchObject({
      code: "input_mismatch",
    });
  });

  it("values given for tensors that are not inputs are ignored and left untouched", () => {
    const decoy = tensor([1, 2], [99, 99]);
    const values = evaluateProgram(prog, { ...good, y: decoy }, registry);
    expect(valuesOf(values.y!)).toEqual([1, 0, 3, 0]);
    expect(values.y!.range.toString()).toBe("[0:2, 0:2)");
    expect(valuesOf(decoy)).toEqual([99, 99]);
  });
});

describe("examples/transformer-block.json", () => {
  const file = fileURLToPath(new URL("../../examples/transformer-block.json", import.meta.url));
  const prog = loadProgramFile(file, registry);

  it("evaluates to bit-identical outputs on every run, without touching its inputs", () => {
    const run = () => {
      const inputs = randomInputs(prog, 11);
      const before = Object.fromEntries(Object.entries(inputs).map(([id, r]) => [id, valuesOf(r)]));
      const outputs = programOutputs(prog, evaluateProgram(prog, inputs, registry));
      for (const [id, r] of Object.entries(inputs)) expect(valuesOf(r)).toEqual(before[id]);
      return Object.fromEntries(Object.entries(outputs).map(([id, r]) => [id, summarizeTensor(r)]));
    };
    const first = run();
    expect(Object.keys(first)).toEqual(["y"]);
    expect(first.y!.shape).toEqual([32, 64]);
    expect(first.y!.nonFinite).toBe(0);
    expect(run()).toEqual(first);
  });

  it("returns a value for every tensor of the program, intermediates included", () => {
    const values = evaluateProgram(prog, randomInputs(prog, 1), registry);
    expect(Object.keys(values).sort()).toEqual(prog.tensors.map((t) => t.id).sort());
  });
});

describe("evaluateProgramWith", () => {
  it("computes every operation through the given function, in the reference evaluator's order", async () => {
    const prog = loadProgramFile("examples/mlp.json", registry);
    const inputs = randomInputs(prog, 3);
    const seen: string[] = [];
    const values = await evaluateProgramWith(prog, inputs, registry, async (def, ctx) => {
      seen.push(def.id);
      return def.impl(ctx);
    });
    expect(seen).toEqual(["linear", "relu", "linear", "softmax"]);
    expect(Array.from(values.y!.data)).toEqual(Array.from(evaluateProgram(prog, inputs, registry).y!.data));
  });
});

/**
 * Property: a random chain of ONNX operators on a random input — elementwise (with broadcast
 * constants), activations, transposes, softmax, reductions, reshapes, and a written-out GELU —
 * imports into a program whose reference evaluation equals ONNX Runtime on the model.
 * fast-check prints the failing seed.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { importOnnx } from "../../src/import/index.js";
import { expectSameAsOnnxRuntime } from "./models.js";
import { f, OnnxModelBuilder } from "./onnx-builder.js";

const RUNS = process.env.TESSERA_DEEP ? 150 : 12;

/** One step: appends nodes reading `v` of `dims`, returns the new value and its dims. */
type Step = (
  m: OnnxModelBuilder,
  v: string,
  dims: number[],
  pick: (n: number) => number,
) => [string, number[]];

const unary =
  (op: string, attrs = {}): Step =>
  (m, v, dims) => [m.node(op, [v], attrs), dims];

/** A constant that broadcasts against `dims`: some leading dims dropped, some set to 1. */
const broadcastConst =
  (op: string): Step =>
  (m, v, dims, pick) => {
    const shape = dims.slice(pick(dims.length + 1)).map((d) => (pick(3) === 0 ? 1 : d));
    const n = shape.reduce((a, b) => a * b, 1);
    // Divisors kept away from zero.
    const values = Array.from({ length: n }, (_, i) =>
      op === "Div" ? 0.5 + ((i * 7) % 5) / 4 : ((i * 13) % 9) / 4 - 1,
    );
    return [m.node(op, [v, m.init(`c_${v}`, shape, values)]), dims];
  };

const STEPS: readonly Step[] = [
  unary("Relu"),
  unary("Sigmoid"),
  unary("Tanh"),
  unary("HardSigmoid", { alpha: f(0.25), beta: f(0.4) }),
  unary("Clip"),
  broadcastConst("Add"),
  broadcastConst("Sub"),
  broadcastConst("Mul"),
  broadcastConst("Div"),
  (m, v, dims, pick) => {
    const perm = dims.map((_, i) => i).sort(() => pick(2) - 0.5);
    return [m.node("Transpose", [v], { perm }), perm.map((p) => dims[p]!)];
  },
  (m, v, dims, pick) => [m.node("Softmax", [v], { axis: pick(dims.length) }), dims],
  (m, v, dims, pick) => {
    if (dims.length < 2) return [v, dims];
    const axis = pick(dims.length);
    const out = dims.filter((_, i) => i !== axis);
    return [m.node("ReduceSum", [v, m.ints(`ax_${v}`, [axis])], { keepdims: 0 }), out];
  },
  (m, v, dims) => {
    const back = m.node("Reshape", [m.node("Reshape", [v, m.ints(`f_${v}`, [-1])]), m.ints(`s_${v}`, dims)]);
    return [back, dims];
  },
  (m, v, dims) => {
    const erf = m.node("Erf", [m.node("Div", [v, m.init(`r2_${v}`, [], [Math.SQRT2])])]);
    const gate = m.node("Add", [erf, m.init(`one_${v}`, [], [1])]);
    return [m.node("Mul", [m.node("Mul", [v, gate]), m.init(`half_${v}`, [], [0.5])]), dims];
  },
];

describe("random ONNX models", () => {
  it("import into programs equal to ONNX Runtime", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        async (shape, steps, dice) => {
          let k = 0;
          const pick = (n: number) => dice[k++ % dice.length]! % n;
          const m = new OnnxModelBuilder(13);
          let v = m.input("x", shape);
          let dims = shape.slice();
          for (const s of steps) [v, dims] = STEPS[s % STEPS.length]!(m, v, dims, pick);
          m.node("Identity", [v], {}, ["y"]);
          m.output("y", dims);
          const bytes = m.encode();
          await expectSameAsOnnxRuntime(bytes, importOnnx(bytes));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

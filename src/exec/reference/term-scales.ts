import { nullRecord } from "../../base/json.js";
import { operationDependencies } from "../../ir/dependencies.js";
import type { Operation, Program } from "../../ir/program.js";
import type { TensorValues } from "./evaluate.js";

/**
 * How an operation's output error follows from its inputs' (see `termScales`):
 * - `linear`: sums, products, layout and unit-slope maps carry their inputs' error scales
 *   (a regrouped sum errs relative to its terms, not its result);
 * - `normalizing`: softmax and layer_norm divide their input's scale out, so the output's
 *   scale is its own (with the affine weight and bias, which enter linearly);
 * - a slope: smooth elementwise maps scale an input error δ by |f′(x)| near each x, so a
 *   saturated sigmoid or tanh shrinks its input's scale instead of inheriting it.
 */
type Propagation = "linear" | "normalizing" | ((x: number) => number);

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const C = Math.sqrt(2 / Math.PI);

/** The rules of the built-in kernels; every other kernel (declared ones too) is `linear`, the conservative one. */
const PROPAGATION: ReadonlyMap<string, Propagation> = new Map<string, Propagation>([
  ["softmax", "normalizing"],
  ["layer_norm", "normalizing"],
  ["sigmoid", (x) => sigmoid(x) * (1 - sigmoid(x))],
  ["tanh", (x) => 1 - Math.tanh(x) ** 2],
  ["exp", (x) => Math.exp(x)],
  [
    "gelu",
    (x) => {
      // d/dx of 0.5·x·(1 + tanh(u)), u = c(x + 0.044715x³); bounded by 1.13 and → 0 for x ≪ 0.
      const t = Math.tanh(C * (x + 0.044715 * x ** 3));
      return Math.abs(0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * 0.044715 * x * x));
    },
  ],
]);

/**
 * The largest slope |f′| over [x − m, x + m] for every element x of the input, sampled at
 * the ends and the middle (and at 0 when inside, where the slope of sigmoid, tanh and gelu
 * peaks): an input off by up to m moves the output by at most about that slope times m.
 */
function largestSlope(slope: (x: number) => number, data: ArrayLike<number>, m: number): number {
  let worst = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) continue;
    const s = Math.max(slope(x), slope(x - m), slope(x + m), x - m <= 0 && x + m >= 0 ? slope(0) : 0);
    if (s > worst) worst = s;
  }
  return Number.isFinite(worst) ? worst : Number.POSITIVE_INFINITY;
}

/**
 * Per program output, the scale its rounding errors are relative to: the largest finite
 * magnitude of the output, or the error scale carried from its inputs when larger. Scales
 * follow each kernel's own error propagation (`Propagation`): a sum regrouped by sharding errs
 * relative to the magnitude of its terms — the mean of a layer-normalized row is ~1e-8 while
 * its terms are ~1 — but a layer_norm of rows like `[3e38, −3e38]` errs relative to its own
 * ±1, not its input's 3e38, or an output of 0 would pass for ±1. Program inputs are exact:
 * they enter sums as terms of their magnitude but carry no error into a sigmoid. `values` is a full reference evaluation (`evaluateProgram`); `tolerance` is
 * the relative error allowed (how far an input may be off when a slope is judged).
 */
export function termScales(
  program: Program,
  values: TensorValues,
  tolerance = 2 ** 10 * 2 ** -23,
): Record<string, number> {
  const ops = program.operations;
  const deps = operationDependencies(ops);
  const magnitude = new Map<string, number>();
  const maxAbs = (tensor: string): number => {
    let m = magnitude.get(tensor);
    if (m === undefined) {
      m = 0;
      const data = values[tensor]?.data;
      if (data !== undefined)
        for (let i = 0; i < data.length; i++) {
          const v = Math.abs(data[i]!);
          if (v > m && Number.isFinite(v)) m = v;
        }
      magnitude.set(tensor, m);
    }
    return m;
  };
  // The error scale of each computed tensor; a program input is exact (scale 0).
  const scale = new Map<string, number>();
  const errorOf = (tensor: string) => scale.get(tensor) ?? 0;
  // The magnitude of the terms a tensor contributes to a sum: its values and its error.
  const termsOf = (tensor: string) => Math.max(maxAbs(tensor), errorOf(tensor));
  const carried = (op: Operation): number => {
    const rule = PROPAGATION.get(op.kernel) ?? "linear";
    if (rule === "linear") return Math.max(0, ...op.inputs.map((s) => termsOf(s.tensor)));
    if (rule === "normalizing")
      return Math.max(0, ...op.inputs.filter((s) => s.name !== "x").map((s) => termsOf(s.tensor)));
    const x = op.inputs[0]!.tensor;
    const inError = errorOf(x);
    const data = values[x]?.data;
    if (inError === 0) return 0;
    if (data === undefined) return inError;
    const slope = largestSlope(rule, data, tolerance * inError);
    return slope === 0 ? 0 : slope * inError;
  };
  // Operations in dependency order (depth first), so every input's scale is known when used.
  const done = new Set<number>();
  const visit = (root: number) => {
    const stack: [number, boolean][] = [[root, false]];
    while (stack.length > 0) {
      const [k, expanded] = stack.pop()!;
      if (done.has(k)) continue;
      if (!expanded) {
        stack.push([k, true]);
        for (const d of deps[k]!) if (!done.has(d)) stack.push([d, false]);
        continue;
      }
      done.add(k);
      const op = ops[k]!;
      const from = carried(op);
      for (const o of op.outputs)
        scale.set(o.tensor, Math.max(scale.get(o.tensor) ?? maxAbs(o.tensor), from));
    }
  };
  for (let k = 0; k < ops.length; k++) visit(k);
  const out = nullRecord<number>();
  for (const output of program.outputs) out[output] = Math.max(maxAbs(output), errorOf(output));
  return out;
}

import { nullRecord } from "../../base/json.js";
import { operationDependencies } from "../../ir/dependencies.js";
import type { Program } from "../../ir/program.js";
import type { TensorValues } from "./evaluate.js";

/**
 * Per program output, the scale its rounding errors are relative to: the largest finite
 * magnitude among the output and every tensor it is computed from (its upstream operations'
 * inputs and outputs). A sum regrouped by sharding errs relative to the magnitude of its terms,
 * not of its result: the mean of a layer-normalized row is ~1e-8 while its terms are ~1, and
 * measuring its error against 1e-8 would fail exact arithmetic's own rounding. The terms of
 * every sum in the output's history come from these tensors. `values` is a full reference
 * evaluation (`evaluateProgram`).
 */
export function termScales(program: Program, values: TensorValues): Record<string, number> {
  const ops = program.operations;
  const deps = operationDependencies(ops);
  const writers = new Map<string, number[]>();
  ops.forEach((op, i) => {
    for (const o of op.outputs) writers.set(o.tensor, [...(writers.get(o.tensor) ?? []), i]);
  });
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
  const out = nullRecord<number>();
  for (const output of program.outputs) {
    let scale = maxAbs(output);
    const seen = new Set<number>();
    const stack = [...(writers.get(output) ?? [])];
    while (stack.length > 0) {
      const k = stack.pop()!;
      if (seen.has(k)) continue;
      seen.add(k);
      for (const sel of [...ops[k]!.inputs, ...ops[k]!.outputs]) scale = Math.max(scale, maxAbs(sel.tensor));
      stack.push(...deps[k]!);
    }
    out[output] = scale;
  }
  return out;
}

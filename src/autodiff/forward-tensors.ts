import { tensorWriters } from "../ir/dependencies.js";
import type { Program } from "../ir/program.js";

/**
 * The tensors the loss (every scalar output) depends on: a training step's forward pass,
 * through every producer, inputs included. Empty for a program without a scalar output.
 */
export function forwardTensors(program: Program): Set<string> {
  const rank = new Map(program.tensors.map((t) => [t.id, t.range.rank]));
  const ops = program.operations;
  const producers = tensorWriters(ops);
  const forward = new Set<string>();
  const pending = program.outputs.filter((o) => rank.get(o) === 0);
  for (let t = pending.pop(); t !== undefined; t = pending.pop()) {
    if (forward.has(t)) continue;
    forward.add(t);
    for (const k of producers.get(t) ?? []) for (const s of ops[k]!.inputs) pending.push(s.tensor);
  }
  return forward;
}

/**
 * The tensors some operation outside `forward` (see `forwardTensors`) reads: what a training
 * step's backward needs. Every tensor an operation reads when `forward` is empty.
 */
export function backwardReads(program: Program, forward: ReadonlySet<string>): Set<string> {
  const read = new Set<string>();
  for (const op of program.operations) {
    if (op.outputs.some((s) => forward.has(s.tensor))) continue;
    for (const s of op.inputs) read.add(s.tensor);
  }
  return read;
}

import type { Program } from "../ir/program.js";
import { type DimensionClasses, dimensionClasses } from "./dimension-classes.js";

/** A program input that carries the batch, and which of its dimensions is the batch. */
export interface ActivationInput {
  readonly tensor: string;
  readonly dim: number;
}

/** The batch classes of a program and the inputs that carry them. */
export interface BatchAxes {
  /** Dimension classes (see `dimensionClasses`) of the batch: see `batchAxes`. */
  readonly classes: ReadonlySet<number>;
  /** Program inputs with a dimension in a batch class (the first such dimension): activations. */
  readonly activations: readonly ActivationInput[];
  /** The remaining program inputs: weights. */
  readonly weights: readonly string[];
  readonly dimensions: DimensionClasses;
}

/** The inputs a program writes back and the outputs that write them (a training step's updates). */
export interface WrittenBack {
  /** Inputs with exactly the dimension classes of some non-scalar output: weights and optimizer states. */
  readonly inputs: readonly string[];
  /** Non-scalar outputs with exactly some input's dimension classes: their new values. */
  readonly outputs: readonly string[];
}

const sameClasses = (a: readonly number[] | undefined, b: readonly number[] | undefined) =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((c, i) => c === b[i]);

/**
 * What a training step writes back, read from geometry: only a program with a scalar output (a
 * loss) writes anything back; then an output with exactly an input's dimension classes is that
 * input's new value (`new_w` of `w`, `new_m_w` of `m_w`). Empty for any other program.
 */
export function writtenBack(program: Program, dimensions = dimensionClasses(program)): WrittenBack {
  const rank = (id: string) => program.tensors.find((t) => t.id === id)!.range.rank;
  if (!program.outputs.some((o) => rank(o) === 0)) return { inputs: [], outputs: [] };
  const tensor = dimensions.tensor;
  const outputs = program.outputs.filter(
    (o) => rank(o) > 0 && program.inputs.some((i) => sameClasses(tensor[o], tensor[i])),
  );
  const inputs = program.inputs.filter((i) => outputs.some((o) => sameClasses(tensor[o], tensor[i])));
  return { inputs, outputs };
}

/** The classes of the leading dimensions of `tensors` (rank-0 tensors have none). */
function leadingClasses(tensors: readonly string[], dimensions: DimensionClasses): Set<number> {
  const classes = new Set<number>();
  for (const id of tensors) {
    const lead = dimensions.tensor[id]?.[0];
    if (lead !== undefined) classes.add(lead);
  }
  return classes;
}

/**
 * Finds the batch from geometry alone: the batch is the axis of every program output's leading
 * dimension, followed back through projection rows to the program inputs (`dimensionClasses`).
 * An input is an *activation* when one of its dimensions is on that axis, and a *weight*
 * otherwise — whatever the kernels are called. In the MLP `y[b,·]` leads back through softmax
 * and both linears to `x[b,·]`, never to `w1`, `b1`, `w2`, `b2`; in the transformer block the
 * token axis reaches `x` but not `wq[h,·,·]` (heads are a different axis).
 *
 * A training step's outputs are mostly new weights and states (`writtenBack`), whose leading
 * dimensions are weight dimensions, not the batch: their outputs are left out, and when no
 * other non-scalar output remains the batch is the leading axis of the inputs not written back
 * (the data: `x`, the targets).
 */
export function batchAxes(program: Program, dimensions = dimensionClasses(program)): BatchAxes {
  const back = writtenBack(program, dimensions);
  const kept = program.outputs.filter((o) => !back.outputs.includes(o));
  const data = program.inputs.filter((i) => !back.inputs.includes(i));
  let classes = leadingClasses(kept, dimensions);
  if (classes.size === 0 && back.outputs.length > 0) classes = leadingClasses(data, dimensions);
  if (classes.size === 0) classes = leadingClasses(program.outputs, dimensions);
  const activations: ActivationInput[] = [];
  const weights: string[] = [];
  for (const tensor of program.inputs) {
    const dim = (dimensions.tensor[tensor] ?? []).findIndex((c) => classes.has(c));
    if (dim >= 0) activations.push({ tensor, dim });
    else weights.push(tensor);
  }
  return { classes, activations, weights, dimensions };
}

import type { Program } from "../ir/program.js";
import { type DimensionClasses, dimensionClasses } from "./dimension-classes.js";

/** A program input that carries the batch, and which of its dimensions is the batch. */
export interface ActivationInput {
  readonly tensor: string;
  readonly dim: number;
}

/** The batch classes of a program and the inputs that carry them. */
export interface BatchAxes {
  /** Dimension classes (see `dimensionClasses`) of the program outputs' leading dimensions. */
  readonly classes: ReadonlySet<number>;
  /** Program inputs with a dimension in a batch class (the first such dimension): activations. */
  readonly activations: readonly ActivationInput[];
  /** The remaining program inputs: weights. */
  readonly weights: readonly string[];
  readonly dimensions: DimensionClasses;
}

/**
 * Finds the batch from geometry alone: the batch is the axis of every program output's leading
 * dimension, followed back through projection rows to the program inputs (`dimensionClasses`).
 * An input is an *activation* when one of its dimensions is on that axis, and a *weight*
 * otherwise — whatever the kernels are called. In the MLP `y[b,·]` leads back through softmax
 * and both linears to `x[b,·]`, never to `w1`, `b1`, `w2`, `b2`; in the transformer block the
 * token axis reaches `x` but not `wq[h,·,·]` (heads are a different axis).
 */
export function batchAxes(program: Program, dimensions = dimensionClasses(program)): BatchAxes {
  const classes = new Set<number>();
  for (const out of program.outputs) {
    const lead = dimensions.tensor[out]?.[0];
    if (lead !== undefined) classes.add(lead);
  }
  const activations: ActivationInput[] = [];
  const weights: string[] = [];
  for (const tensor of program.inputs) {
    const dim = (dimensions.tensor[tensor] ?? []).findIndex((c) => classes.has(c));
    if (dim >= 0) activations.push({ tensor, dim });
    else weights.push(tensor);
  }
  return { classes, activations, weights, dimensions };
}

import type { Cluster } from "../../cluster/cluster.js";
import type { Operation, Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { CombineMode, Plan } from "../../plan/plan.js";
import { writtenBack } from "../../shard/batch-axes.js";
import { type DimensionClasses, dimensionClasses } from "../../shard/dimension-classes.js";
import type { DimSplit } from "../../zspace/z-range.js";
import { acceptsSplit } from "../accepts-split.js";
import { clusterDevices } from "../cluster-devices.js";
import { batchIndexDim } from "./data-parallel-plan.js";

/**
 * What makes a program a training step, read from geometry: the inputs it writes back (an
 * output with exactly an input's dimension classes is that input's update: a new weight or
 * optimizer state), the activation inputs (the others), and the batch: the classes of the
 * activations' leading dimensions.
 */
export interface TrainingShape {
  readonly batch: ReadonlySet<number>;
  /** The dimension classes of every updated input (weights and optimizer states). */
  readonly updated: readonly (readonly number[])[];
  readonly dimensions: DimensionClasses;
}

const same = (a: readonly number[] | undefined, b: readonly number[] | undefined) =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((c, i) => c === b[i]);

/**
 * The training shape of `program`, or undefined when it does not look like a training step: it
 * needs a scalar output (the loss), at least one output updating an input, and an input that is
 * not updated (the data).
 */
export function trainingShape(program: Program): TrainingShape | undefined {
  const decl = (id: string) => program.tensors.find((t) => t.id === id)!;
  const dimensions = dimensionClasses(program);
  const updatedInputs = writtenBack(program, dimensions).inputs;
  const activations = program.inputs.filter((i) => !updatedInputs.includes(i) && decl(i).range.rank > 0);
  if (updatedInputs.length === 0 || activations.length === 0) return undefined;
  const batch = new Set(activations.map((a) => dimensions.tensor[a]![0]!));
  return { batch, updated: updatedInputs.map((i) => dimensions.tensor[i]!), dimensions };
}

/** How a training baseline treats the optimizer update and the weight gradients. */
type Stage = "dp" | "zero-1" | "zero-2";

/**
 * A training-step baseline on the first `n` devices. Forward and backward operations are cut
 * along the batch, one shard per device, as the data-parallel baseline cuts them; an operation
 * that sums a weight's gradient over the batch is cut along that reduction, so each device
 * folds its own part of the batch and the partials combine (the gradient all-reduce). Then:
 *
 * - `dp`: the optimizer update runs whole on the first device, which therefore holds every
 *   optimizer state (the replicated states of plain data parallelism, in a plan where every
 *   element is computed once).
 * - `zero-1`: every update operation is cut along its first dimension over the devices, so each
 *   holds a slice of the optimizer states (ZeRO stage 1); the gradients gather, then scatter.
 * - `zero-2`: as `zero-1`, and the weight-gradient sums reduce-scatter, so each device also
 *   holds only a slice of each gradient (ZeRO stage 2).
 *
 * Update operations are the reduction-free operations whose outputs have an updated input's
 * dimension classes; weight-gradient sums are operations that reduce over a batch class into
 * such an output.
 */
export function trainingPlan(
  program: Program,
  cluster: Cluster,
  n: number,
  stage: Stage,
  shape: TrainingShape,
): Plan {
  const devices = clusterDevices(cluster, n);
  const splits: Record<string, DimSplit[]> = {};
  const combine: Record<string, CombineMode> = {};
  const placement: Record<string, string[]> = {};
  const updates = (op: Operation) =>
    op.outputs.every((s) => shape.updated.some((u) => same(shape.dimensions.tensor[s.tensor], u)));
  for (const op of program.operations) {
    const classes = shape.dimensions.index[op.id] ?? [];
    const extents = op.index.shape.coords;
    const parts = (d: number) => Math.min(devices.length, extents[d]!);
    const accept = (split: { dim: number; parts: number }[]) =>
      split[0]!.parts > 1 && acceptsSplit(op, split);
    const reductions = op.signature.reductions.map((r) => r.dim);
    if (updates(op) && reductions.length === 0) {
      if (stage === "dp" || op.index.rank === 0) {
        placement[op.id] = [devices[0]!];
        continue;
      }
      const split = [{ dim: 0, parts: parts(0) }];
      if (accept(split)) splits[op.id] = split;
      continue;
    }
    const batchReduction = updates(op) ? reductions.find((d) => shape.batch.has(classes[d]!)) : undefined;
    if (batchReduction !== undefined) {
      const split = [{ dim: batchReduction, parts: parts(batchReduction) }];
      if (accept(split)) {
        splits[op.id] = split;
        if (stage === "zero-2") combine[op.id] = "reduce-scatter";
      }
      continue;
    }
    const dim = batchIndexDim(op, classes, shape.batch);
    if (dim === undefined) continue;
    const split = [{ dim, parts: parts(dim) }];
    if (accept(split)) splits[op.id] = split;
  }
  return makePlan(program, { devices, splits, placement, combine });
}

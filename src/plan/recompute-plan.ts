import { recomputeProgram } from "../autodiff/recompute-program.js";
import type { OperationPlan, Plan } from "./plan.js";

/**
 * `plan` recomputing `tensors` (activations of a training step, see `recomputeProgram`)
 * instead of what it recomputed before: its program is rewritten from the program before any
 * recomputation, each copy operation gets the plan of the operation it copies (the same splits,
 * devices, combine devices and mode: the copy recomputes the same shards where they ran), and
 * an explicit order is dropped (the tasks changed). An empty `tensors` gives the plan without
 * recomputation. Throws `not_recomputable` or `duplicate_id` for a bad entry.
 */
export function withRecompute(plan: Plan, tensors: readonly string[]): Plan {
  const base = withoutRecompute(plan);
  if (tensors.length === 0) return base;
  const { program, copies } = recomputeProgram(base.program, tensors);
  const byOp = new Map(base.operations.map((o) => [o.op, o]));
  const operations = program.operations.map((op): OperationPlan => {
    const of = copies[op.id];
    return of === undefined ? byOp.get(op.id)! : { ...byOp.get(of)!, op: op.id };
  });
  const { order: _, ...rest } = base;
  return {
    ...rest,
    program,
    operations,
    recompute: { tensors: tensors.slice(), program: base.program, copies },
  };
}

/** `plan` without its recomputation: the program before the rewrite, copies and an explicit order dropped. */
export function withoutRecompute(plan: Plan): Plan {
  const r = plan.recompute;
  if (r === undefined) return plan;
  const { order: _, recompute: __, ...rest } = plan;
  return {
    ...rest,
    program: r.program,
    operations: plan.operations.filter((o) => r.copies[o.op] === undefined),
  };
}

/** The recomputed activations of `plan` (empty when it keeps them all). */
export function recomputedTensors(plan: Plan): readonly string[] {
  return plan.recompute?.tensors ?? [];
}

import { TesseraError } from "../base/errors.js";
import { nullRecord } from "../base/json.js";
import type { Program } from "../ir/program.js";
import type { DimSplit } from "../zspace/z-range.js";
import { makePlan } from "./make-plan.js";
import type { Plan } from "./plan.js";
import { withoutRecompute, withRecompute } from "./recompute-plan.js";

/**
 * `plan`'s choices carried to `program`, the same operations at another size (a plan found for
 * the full-size model, run scaled down on this machine). Each split keeps its dimension and
 * part count, capped by the new extent (cut points become an even split: they were positions in
 * the old range); shard `c` of the new grid runs where shard `c` of the old grid did, read with
 * the old grid's strides, so a capped split keeps the leading devices. Combines go to their
 * default devices, combine modes and input placements carry over, and the order is dropped (task ids may change).
 * A plan that recomputes activations recomputes the same ones in `program` (the program
 * before recomputation, as a plan file stores it).
 * Throws `plan_mismatch` when the operations or their index ranks differ.
 */
export function rescalePlan(plan: Plan, program: Program): Plan {
  if (plan.recompute !== undefined)
    return withRecompute(rescalePlan(withoutRecompute(plan), program), plan.recompute.tensors);
  const ops = new Map(program.operations.map((o) => [o.id, o]));
  if (plan.operations.length !== program.operations.length || plan.operations.some((o) => !ops.has(o.op))) {
    throw new TesseraError(
      "plan_mismatch",
      `the plan's operations (${plan.operations.map((o) => o.op).join(", ")}) are not the program's (${program.operations.map((o) => o.id).join(", ")})`,
      { ops: plan.operations.map((o) => o.op).join(",") },
    );
  }
  const splits = nullRecord<DimSplit[]>();
  const placement = nullRecord<string[]>();
  for (const o of plan.operations) {
    const op = ops.get(o.op)!;
    const extents = op.index.shape.coords;
    if (o.sharding.boundaries.length !== extents.length) {
      throw new TesseraError(
        "plan_mismatch",
        `operation '${o.op}' has a rank-${extents.length} index here but rank ${o.sharding.boundaries.length} in the plan`,
        { op: o.op, expected: extents.length, found: o.sharding.boundaries.length },
      );
    }
    const oldCounts = o.sharding.boundaries.map((b) => b.length - 1);
    const counts = oldCounts.map((c, d) => Math.max(1, Math.min(c, extents[d]!)));
    splits[o.op] = counts.flatMap((parts, dim) => (parts > 1 ? [{ dim, parts }] : []));
    const total = counts.reduce((a, b) => a * b, 1);
    placement[o.op] = Array.from({ length: total }, (_, s) => {
      let rest = s;
      let old = 0;
      let stride = 1;
      for (let d = counts.length - 1; d >= 0; d--) {
        old += (rest % counts[d]!) * stride;
        rest = Math.floor(rest / counts[d]!);
        stride *= oldCounts[d]!;
      }
      return o.devices[old]!;
    });
  }
  const combine = Object.fromEntries(plan.operations.flatMap((o) => (o.combine ? [[o.op, o.combine]] : [])));
  return makePlan(program, {
    devices: plan.devices,
    splits,
    placement,
    inputs: plan.inputs.filter((i) => i.device !== undefined),
    combine,
  });
}

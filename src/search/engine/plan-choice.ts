import { TesseraError } from "../../base/errors.js";
import type { Simulator } from "../../cost/simulator.js";
import type { Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { CombineMode, OperationPlan, Plan } from "../../plan/plan.js";
import { recomputedTensors, withRecompute } from "../../plan/recompute-plan.js";
import { gridSharding } from "../../shard/operation-sharding.js";
import type { DimSplit } from "../../zspace/z-range.js";
import { recomputeSimulator } from "./recompute-simulator.js";

/**
 * What a plan chose for one operation, as plain data small enough to send between search
 * workers: its splits, a device per shard and, when not the default, per combine step, and how
 * a split reduction combines when not the default (`gather`): ZeRO-2's `reduce-scatter`.
 */
export interface PlanChoice {
  readonly op: string;
  readonly splits: readonly DimSplit[];
  readonly devices: readonly string[];
  readonly combineDevices?: readonly string[];
  readonly combine?: CombineMode;
}

/**
 * The choices of every operation of `plan`, in program order. A plan that recomputes
 * activations gives those of the program before recomputation (the copies mirror them).
 */
export function planChoices(plan: Plan): PlanChoice[] {
  const copies = plan.recompute?.copies;
  const own =
    copies === undefined ? plan.operations : plan.operations.filter((o) => copies[o.op] === undefined);
  return own.map((o) => ({
    op: o.op,
    splits: o.sharding.splits,
    devices: o.devices,
    ...(o.combineDevices === undefined ? {} : { combineDevices: o.combineDevices }),
    ...(o.combine === undefined || o.combine === "gather" ? {} : { combine: o.combine }),
  }));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `base` changed to make `choices`: only the operations whose choice differs are re-split,
 * re-combined or re-placed, all in one step (`withOperationPlans`), so the result shares the
 * rest of `base`'s derivations and a reader of many changed operations is re-derived once.
 */
export function withChoices(base: Simulator, choices: readonly PlanChoice[]): Simulator {
  // By id, not position: a recomputing plan's program holds copies its simulator's positions skip.
  const ops = new Map(base.plan.program.operations.map((op) => [op.id, op]));
  const current = new Map(base.plan.operations.map((o) => [o.op, o]));
  const plans: OperationPlan[] = [];
  for (const c of choices) {
    const op = ops.get(c.op);
    const o = current.get(c.op);
    if (op === undefined || o === undefined)
      throw new TesseraError("plan_mismatch", `the program has no operation '${c.op}'`, { op: c.op });
    const resplit = !same(o.sharding.splits, c.splits);
    const recombine = (o.combine ?? "gather") !== (c.combine ?? "gather");
    const moved = !same(o.devices, c.devices) || !same(o.combineDevices, c.combineDevices);
    if (!resplit && !recombine && !moved) continue;
    plans.push({
      op: c.op,
      sharding: resplit ? gridSharding(op, c.splits) : o.sharding,
      devices: c.devices.slice(),
      ...(c.combineDevices === undefined ? {} : { combineDevices: c.combineDevices.slice() }),
      ...(c.combine === undefined ? {} : { combine: c.combine }),
    });
  }
  return base.withOperationPlans(plans);
}

/**
 * `base` changed to make `choices` and recompute `recompute` (activations, see
 * `withRecompute`): incrementally when `base` recomputes the same ones, else from a plan
 * simulated anew (the program differs).
 */
export function withMember(
  base: Simulator,
  choices: readonly PlanChoice[],
  recompute: readonly string[] = [],
): Simulator {
  const current = recomputedTensors(base.plan);
  const kept = current.length === recompute.length && current.every((t, i) => t === recompute[i]);
  return withChoices(kept ? base : recomputeSimulator(base, recompute), choices);
}

/**
 * The plan of `program` on `devices` that makes `choices` (inputs pre-distributed), recomputing
 * `recompute` when given, without simulating it.
 */
export function planFromChoices(
  program: Program,
  devices: readonly string[],
  choices: readonly PlanChoice[],
  recompute: readonly string[] = [],
): Plan {
  const plan = plainPlanFromChoices(program, devices, choices);
  return recompute.length === 0 ? plan : withRecompute(plan, recompute);
}

function plainPlanFromChoices(
  program: Program,
  devices: readonly string[],
  choices: readonly PlanChoice[],
): Plan {
  const plan = makePlan(program, {
    devices,
    splits: Object.fromEntries(choices.map((c) => [c.op, c.splits])),
    placement: Object.fromEntries(choices.map((c) => [c.op, c.devices])),
    combine: Object.fromEntries(choices.flatMap((c) => (c.combine === undefined ? [] : [[c.op, c.combine]]))),
  });
  const combines = new Map(
    choices.filter((c) => c.combineDevices !== undefined).map((c) => [c.op, c.combineDevices!]),
  );
  if (combines.size === 0) return plan;
  return {
    ...plan,
    operations: plan.operations.map((o) => {
      const combineDevices = combines.get(o.op);
      return combineDevices === undefined ? o : { ...o, combineDevices };
    }),
  };
}

import type { Simulator } from "../../cost/simulator.js";
import type { Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { Plan } from "../../plan/plan.js";
import type { DimSplit } from "../../zspace/z-range.js";

/**
 * What a plan chose for one operation, as plain data small enough to send between search
 * workers: its splits, a device per shard and, when not the default, per combine step.
 */
export interface PlanChoice {
  readonly op: string;
  readonly splits: readonly DimSplit[];
  readonly devices: readonly string[];
  readonly combineDevices?: readonly string[];
}

/** The choices of every operation of `plan`, in program order. */
export function planChoices(plan: Plan): PlanChoice[] {
  return plan.operations.map((o) =>
    o.combineDevices === undefined
      ? { op: o.op, splits: o.sharding.splits, devices: o.devices }
      : { op: o.op, splits: o.sharding.splits, devices: o.devices, combineDevices: o.combineDevices },
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `base` changed to make `choices`: only the operations whose choice differs are re-split or
 * re-placed, so the result shares the rest of `base`'s derivations.
 */
export function withChoices(base: Simulator, choices: readonly PlanChoice[]): Simulator {
  let sim = base;
  const current = new Map(base.plan.operations.map((o) => [o.op, o]));
  for (const c of choices) {
    const o = current.get(c.op)!;
    if (!same(o.sharding.splits, c.splits)) sim = sim.withSharding(c.op, c.splits, c.devices);
    else if (!same(o.devices, c.devices) || !same(o.combineDevices, c.combineDevices)) {
      sim = sim.withPlacement(c.op, c.devices, c.combineDevices);
      continue;
    }
    if (c.combineDevices !== undefined) sim = sim.withPlacement(c.op, c.devices, c.combineDevices);
  }
  return sim;
}

/** The plan of `program` on `devices` that makes `choices` (inputs pre-distributed), without simulating it. */
export function planFromChoices(
  program: Program,
  devices: readonly string[],
  choices: readonly PlanChoice[],
): Plan {
  const plan = makePlan(program, {
    devices,
    splits: Object.fromEntries(choices.map((c) => [c.op, c.splits])),
    placement: Object.fromEntries(choices.map((c) => [c.op, c.devices])),
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

/** A random local change to a simulated plan, for properties of incremental re-simulation. */
import type { Simulator } from "../../src/cost/index.js";
import { gridSharding, shardCount } from "../../src/shard/index.js";
import { type Dice, randomSplits } from "../shard/random-programs.js";

/** Moves one operation's shards (and maybe its combines) to random devices, or re-splits it (onto random devices or not). */
export function randomChange(sim: Simulator, dice: Dice): Simulator {
  const plan = sim.plan;
  const o = dice.pick(plan.operations);
  if (dice.oneIn(2)) {
    const devices = o.devices.map(() => dice.pick(plan.devices));
    if (o.combineDevices === undefined || dice.oneIn(2)) return sim.withPlacement(o.op, devices);
    return sim.withPlacement(
      o.op,
      devices,
      o.combineDevices.map(() => dice.pick(plan.devices)),
    );
  }
  const op = plan.program.operations.find((x) => x.id === o.op)!;
  const splits = randomSplits(op, dice, 8);
  if (dice.oneIn(2)) return sim.withSharding(o.op, splits);
  const n = shardCount(gridSharding(op, splits));
  return sim.withSharding(
    o.op,
    splits,
    Array.from({ length: n }, () => dice.pick(plan.devices)),
  );
}

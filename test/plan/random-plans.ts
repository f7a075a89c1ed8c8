// Random plans for property tests: random shardings of every operation, shards placed on 1–4
// devices (explicitly or round-robin), split reductions gathered or reduce-scattered, combines
// sometimes moved, and each program input either at home on a device or pre-distributed.
import type { Program } from "../../src/ir/index.js";
import {
  deviceNames,
  type InputPlacement,
  makePlan,
  type Plan,
  type TaskGraph,
} from "../../src/plan/index.js";
import {
  combineGeometry,
  gridSharding,
  scatterCombines,
  shardCount,
  shardGeometry,
} from "../../src/shard/index.js";
import { Dice, randomSplits } from "../shard/random-programs.js";

/** Options for `randomPlan`. */
export interface RandomPlanOptions {
  /** How many devices; random in 1..4 when absent. */
  readonly devices?: number;
}

/** A random valid plan of `program`, every choice drawn from `dice`. */
export function randomPlan(
  program: Program,
  diceValues: readonly number[],
  options: RandomPlanOptions = {},
): Plan {
  const dice = new Dice(diceValues);
  const devices = deviceNames(options.devices ?? dice.between(1, 4));
  const splits = Object.fromEntries(program.operations.map((op) => [op.id, randomSplits(op, dice)]));
  const placement = dice.oneIn(4)
    ? "round-robin"
    : Object.fromEntries(
        program.operations.map((op) => {
          const n = shardCount(gridSharding(op, splits[op.id]!));
          return [op.id, Array.from({ length: n }, () => dice.pick(devices))];
        }),
      );
  // Each input: at home on a device, listed as pre-distributed, or not listed (pre-distributed).
  const inputs: InputPlacement[] = program.inputs.flatMap((tensor) => {
    const mode = dice.int(3);
    if (mode === 0) return [{ tensor, device: dice.pick(devices) }];
    return mode === 1 ? [{ tensor }] : [];
  });
  const plan = makePlan(program, { devices, splits, placement, inputs });
  // A split reduction is gathered or reduce-scattered, its combine steps sometimes moved.
  const operations = plan.operations.map((o) => {
    const op = program.operations.find((p) => p.id === o.op)!;
    const gathered = combineGeometry(op, shardGeometry(op, o.sharding));
    if (gathered.length === 0) return o;
    const scattered = dice.oneIn(2);
    const planned = scattered ? { ...o, combine: "reduce-scatter" as const } : o;
    if (dice.oneIn(2)) return planned;
    const steps = (scattered ? scatterCombines(gathered) : gathered).length;
    return { ...planned, combineDevices: Array.from({ length: steps }, () => dice.pick(devices)) };
  });
  return { ...plan, operations };
}

/** A random order of a task graph's tasks that respects every dependency. */
export function randomOrder(graph: TaskGraph, dice: Dice): string[] {
  const left = graph.tasks.map((t) => t.id);
  const done = new Set<string>();
  const order: string[] = [];
  while (left.length > 0) {
    const ready = left.filter((id) => graph.deps[id]!.every((d) => done.has(d)));
    const next = dice.pick(ready);
    order.push(next);
    done.add(next);
    left.splice(left.indexOf(next), 1);
  }
  return order;
}

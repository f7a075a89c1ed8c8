import type { DeviceType } from "../cluster/cluster.js";
import type { OpTasks } from "../plan/op-tasks.js";
import type { CostModel, TaskWork } from "./cost-model.js";
import { COMBINE_KERNEL, kernelSeconds } from "./kernel-time.js";

/** What an operation's tasks cost to compute: the work of each, and its seconds per device type and host load. */
export interface OpPrice {
  readonly work: readonly TaskWork[];
  /**
   * Seconds of each task on each device type at each busy level (`busyLevels`):
   * `seconds[(type * levels + level) * tasks + task]`, NaN when it cannot run there.
   */
  readonly seconds: Float64Array;
}

/**
 * Prices an operation's tasks once per derivation (never per evaluation): each task's work from
 * the cost model and its compute duration by `kernelSeconds` (the device type's kernel table, else its peak rates) on every device type the plan uses, at every busy level of their tables.
 * The simulator's only route from a task to its compute seconds.
 */
export function priceOp(
  tasks: OpTasks,
  model: CostModel,
  types: readonly DeviceType[],
  levels: readonly number[],
): OpPrice {
  const { op, shards, combines } = tasks;
  const work: TaskWork[] = [
    ...shards.map((s) => model.shardWork(op, s)),
    ...combines.map((c) => model.combineWork(op, c, c.parts.length)),
  ];
  const n = work.length;
  const L = levels.length;
  const seconds = new Float64Array(types.length * L * n);
  types.forEach((type, y) => {
    levels.forEach((busy, l) => {
      work.forEach((w, j) => {
        const kernel = j < shards.length ? op.kernel : COMBINE_KERNEL;
        seconds[(y * L + l) * n + j] = kernelSeconds(kernel, w, type, busy) ?? Number.NaN;
      });
    });
  });
  return { work, seconds };
}

import type { DType } from "../base/dtype.js";
import type { DeviceType, KernelTable } from "../cluster/cluster.js";
import { type TaskWork, taskSeconds } from "./cost-model.js";
import { shapedSeconds } from "./shape-table.js";
import { tableSeconds } from "./table-seconds.js";

export { tableSeconds } from "./table-seconds.js";

/** The kernel id under which kernel tables price the folds of split reductions. */
export const COMBINE_KERNEL = "combine";

/**
 * Seconds a task of kernel `kernel` takes on a device type while `busy` devices of its host
 * compute (the plan's devices there; default all): from the type's kernel table for that
 * kernel, dtype and load (see `kernelTable`, `tableSeconds`; by `shapedSeconds` when the
 * table has shape points and the task is a contraction with a GEMM shape), else the roofline plus launch
 * overhead of `taskSeconds`. `undefined` when the device type has no peak rate for the task's
 * dtype (it cannot run it, table or not).
 *
 * Example: with a `matmul` float32 table `[[1e6, 1e-4], [1e8, 1e-3]]`, a 1e7-FLOP matmul shard
 * takes 10^((log 1e-4 + log 1e-3) / 2) ≈ 3.16e-4 s.
 */
export function kernelSeconds(
  kernel: string,
  work: TaskWork,
  type: DeviceType,
  busy: number = Number.POSITIVE_INFINITY,
): number | undefined {
  if (type.peakFlops[work.dtype] === undefined) return undefined;
  const table = kernelTable(type, kernel, work.dtype, busy);
  if (table === undefined) return taskSeconds(work, type);
  if (table.by === "bytes") return tableSeconds(table, work.bytes, type.memoryBandwidth);
  const peak = type.peakFlops[work.dtype]!;
  if (work.gemm === undefined || table.shapes === undefined) return tableSeconds(table, work.flops, peak);
  return shapedSeconds(table, work.flops, work.gemm, peak);
}

/**
 * `type`'s kernel table for `kernel` and `dtype` measured nearest above `busy` devices of a host
 * computing at once: the one with the smallest `busy` at least `busy` (a table without one
 * counts as all devices busy), else the one with the largest; among equals, the first listed.
 * Undefined when no table names the kernel for the dtype.
 */
export function kernelTable(
  type: DeviceType,
  kernel: string,
  dtype: DType,
  busy: number = Number.POSITIVE_INFINITY,
): KernelTable | undefined {
  let above: KernelTable | undefined;
  let below: KernelTable | undefined;
  const level = (t: KernelTable) => t.busy ?? Number.POSITIVE_INFINITY;
  for (const t of type.kernels ?? []) {
    if (t.dtype !== dtype || !t.kernels.includes(kernel)) continue;
    if (level(t) >= busy) {
      if (above === undefined || level(t) < level(above)) above = t;
    } else if (below === undefined || level(t) > level(below)) below = t;
  }
  return above ?? below;
}

/**
 * The distinct `busy` levels of the kernel tables of `types`, ascending, ending with +Infinity
 * (all devices busy): the loads at which the simulator prices each task.
 */
export function busyLevels(types: readonly DeviceType[]): number[] {
  const levels = new Set<number>([Number.POSITIVE_INFINITY]);
  for (const type of types) for (const t of type.kernels ?? []) if (t.busy !== undefined) levels.add(t.busy);
  return [...levels].sort((a, b) => a - b);
}

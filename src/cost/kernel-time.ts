import type { DType } from "../base/dtype.js";
import type { DeviceType, KernelTable } from "../cluster/cluster.js";
import { type TaskWork, taskSeconds } from "./cost-model.js";

/** The kernel id under which kernel tables price the folds of split reductions. */
export const COMBINE_KERNEL = "combine";

/**
 * Seconds a task of kernel `kernel` takes on a device type while `busy` devices of its host
 * compute (the plan's devices there; default all): from the type's kernel table for that
 * kernel, dtype and load (see `kernelTable`, `tableSeconds`), else the roofline plus launch
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
  const peak = table.by === "flops" ? type.peakFlops[work.dtype]! : type.memoryBandwidth;
  return tableSeconds(table, table.by === "flops" ? work.flops : work.bytes, peak);
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

/**
 * Seconds of a task of `size` (FLOPs or bytes, as the table says) by the table's points:
 * linear interpolation of log seconds over log size between the two points around it; the
 * first point's seconds at or below the first size (small tasks cost their fixed overhead).
 * Beyond the last size, the last point's seconds plus the extra size at the marginal rate of
 * the last two points (what one more unit of work cost there), at most `peak` (FLOP/s or
 * bytes/s); at `peak` when the table has one point or its last two do not rise. The last
 * point's average rate would charge the extra work its fixed overhead again.
 */
export function tableSeconds(table: KernelTable, size: number, peak: number): number {
  const points = table.points;
  const [x0, s0] = points[0]!;
  if (size <= x0) return s0;
  const [xn, sn] = points[points.length - 1]!;
  if (size >= xn) {
    const before = points[points.length - 2];
    const slope = before !== undefined && sn > before[1] ? (xn - before[0]) / (sn - before[1]) : peak;
    return sn + (size - xn) / Math.min(slope, peak);
  }
  let i = 1;
  while (points[i]![0] < size) i++;
  const [xa, sa] = points[i - 1]!;
  const [xb, sb] = points[i]!;
  const f = Math.log(size / xa) / Math.log(xb / xa);
  return Math.exp(Math.log(sa) + f * Math.log(sb / sa));
}

import type { DType } from "../base/dtype.js";
import type { DeviceType, KernelTable } from "../cluster/cluster.js";
import { type TaskWork, taskSeconds } from "./cost-model.js";

/** The kernel id under which kernel tables price the folds of split reductions. */
export const COMBINE_KERNEL = "combine";

/**
 * Seconds a task of kernel `kernel` takes on a device type: from the type's kernel table for
 * that kernel and dtype when it has one (see `tableSeconds`), else the roofline plus launch
 * overhead of `taskSeconds`. `undefined` when the device type has no peak rate for the task's
 * dtype (it cannot run it, table or not).
 *
 * Example: with a `matmul` float32 table `[[1e6, 1e-4], [1e8, 1e-3]]`, a 1e7-FLOP matmul shard
 * takes 10^((log 1e-4 + log 1e-3) / 2) ≈ 3.16e-4 s.
 */
export function kernelSeconds(kernel: string, work: TaskWork, type: DeviceType): number | undefined {
  if (type.peakFlops[work.dtype] === undefined) return undefined;
  const table = kernelTable(type, kernel, work.dtype);
  if (table === undefined) return taskSeconds(work, type);
  const peak = table.by === "flops" ? type.peakFlops[work.dtype]! : type.memoryBandwidth;
  return tableSeconds(table, table.by === "flops" ? work.flops : work.bytes, peak);
}

/** The first of `type`'s kernel tables that names `kernel` for `dtype`, if any. */
export function kernelTable(type: DeviceType, kernel: string, dtype: DType): KernelTable | undefined {
  return type.kernels?.find((t) => t.dtype === dtype && t.kernels.includes(kernel));
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

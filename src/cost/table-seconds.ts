import type { KernelTable } from "../cluster/cluster.js";

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

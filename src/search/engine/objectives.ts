import type { Cluster } from "../../cluster/cluster.js";
import type { CostVector } from "../../cost/simulation.js";

/**
 * What the search minimises, read off a cost vector: makespan, the largest per-device peak
 * memory and bytes on the wire (both link classes), plus `excess`, the bytes by which the
 * worst device overflows its memory (0 when feasible).
 */
export interface Objectives {
  readonly makespan: number;
  readonly memory: number;
  readonly traffic: number;
  readonly excess: number;
}

/** The objectives of `cost`; `capacity` gives each plan device's memory bytes. */
export function objectivesOf(cost: CostVector, capacity: Readonly<Record<string, number>>): Objectives {
  let excess = 0;
  for (const [device, peak] of Object.entries(cost.peakMemory)) {
    const over = peak - (capacity[device] ?? Number.POSITIVE_INFINITY);
    if (over > excess) excess = over;
  }
  return {
    makespan: cost.makespan,
    memory: cost.maxPeakMemory,
    traffic: cost.bytesByLinkClass.intra + cost.bytesByLinkClass.inter,
    excess,
  };
}

/**
 * Constrained Pareto dominance (Deb): a feasible plan beats every infeasible one; of two
 * infeasible plans the smaller overflow wins outright (so the search walks out of infeasible
 * regions); of two feasible plans `a` dominates `b` when it is no worse in makespan, memory and
 * traffic and better in one.
 */
export function dominates(a: Objectives, b: Objectives): boolean {
  if (a.excess !== b.excess) return a.excess < b.excess;
  if (a.makespan > b.makespan || a.memory > b.memory || a.traffic > b.traffic) return false;
  return a.makespan < b.makespan || a.memory < b.memory || a.traffic < b.traffic;
}

/** True when `a` and `b` tie in every objective. */
export function sameObjectives(a: Objectives, b: Objectives): boolean {
  return (
    a.excess === b.excess && a.makespan === b.makespan && a.memory === b.memory && a.traffic === b.traffic
  );
}

/** Memory bytes of each of `devices`, cluster device ids as the search names plan devices. */
export function deviceCapacities(cluster: Cluster, devices: readonly string[]): Record<string, number> {
  const byId = new Map(cluster.devices.map((d) => [d.id, d]));
  return Object.fromEntries(
    devices.map((d) => [
      d,
      cluster.deviceTypes[byId.get(d)?.type ?? ""]?.memoryBytes ?? Number.POSITIVE_INFINITY,
    ]),
  );
}

/** The fastest feasible cost vector of `costs`, or the fastest when none is feasible. */
export function fastestCost(costs: Iterable<CostVector>): CostVector | undefined {
  let best: CostVector | undefined;
  for (const c of costs) {
    if (
      best === undefined ||
      (c.feasible && !best.feasible) ||
      (c.feasible === best.feasible && c.makespan < best.makespan)
    )
      best = c;
  }
  return best;
}

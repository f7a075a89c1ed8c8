import { dominates, type Objectives, sameObjectives } from "./objectives.js";

/** What an archive holds: anything with objectives. */
export interface Scored {
  readonly objectives: Objectives;
}

/** What inserting into an archive did. */
export type ArchiveOutcome = "added" | "replaced-tie" | "rejected";

/**
 * Inserts `candidate` into `archive` (mutated in place), keeping it a Pareto front: rejected
 * when a member dominates it; otherwise the members it dominates leave and it joins. A tie in
 * every objective replaces the member it ties with (`replaced-tie`): the front stays the same
 * set of points but the search may drift across plans of equal cost. When the archive then
 * holds more than `capacity` members, the most crowded non-extreme member leaves (crowding
 * distance over the three objectives), which thins the front without keeping a dominated plan.
 */
export function insertIntoArchive<T extends Scored>(
  archive: T[],
  candidate: T,
  capacity: number,
): ArchiveOutcome {
  const c = candidate.objectives;
  for (let i = 0; i < archive.length; i++) {
    const m = archive[i]!.objectives;
    if (sameObjectives(m, c)) {
      archive[i] = candidate;
      return "replaced-tie";
    }
    if (dominates(m, c)) return "rejected";
  }
  let w = 0;
  for (let i = 0; i < archive.length; i++) {
    const m = archive[i]!;
    if (!dominates(c, m.objectives)) archive[w++] = m;
  }
  archive.length = w;
  archive.push(candidate);
  if (archive.length > capacity) archive.splice(mostCrowded(archive), 1);
  return "added";
}

const KEYS = ["makespan", "memory", "traffic"] as const;

/** The index of the member with the smallest crowding distance (extremes count as infinite). */
function mostCrowded(archive: readonly Scored[]): number {
  const n = archive.length;
  const distance = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (const key of KEYS) {
    order.sort((a, b) => archive[a]!.objectives[key] - archive[b]!.objectives[key] || a - b);
    const lo = archive[order[0]!]!.objectives[key];
    const hi = archive[order[n - 1]!]!.objectives[key];
    distance[order[0]!] = Number.POSITIVE_INFINITY;
    distance[order[n - 1]!] = Number.POSITIVE_INFINITY;
    if (hi === lo) continue;
    for (let r = 1; r < n - 1; r++) {
      const prev = archive[order[r - 1]!]!.objectives[key];
      const next = archive[order[r + 1]!]!.objectives[key];
      distance[order[r]!]! += (next - prev) / (hi - lo);
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (distance[i]! < distance[best]!) best = i;
  return best;
}

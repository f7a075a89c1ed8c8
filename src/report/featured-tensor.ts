import { DTYPE_BYTES } from "../base/dtype.js";
import type { Plan } from "../plan/plan.js";
import { deriveTaskGraph, type TaskGraph } from "../plan/task-graph.js";

/**
 * The tensor a report draws the shard map of: the largest tensor (in bytes) whose values the
 * plan moves between devices; failing that, the largest whose partial sums it moves; failing
 * that, the largest written on several devices; failing that, the largest tensor. Ties go to
 * the one that moves more bytes, then to program order.
 */
export function featuredTensor(plan: Plan, graph: TaskGraph = deriveTaskGraph(plan)): string {
  const program = plan.program;
  const moved = new Map<string, { bytes: number; partial: boolean }>();
  for (const t of graph.transfers) {
    const m = moved.get(t.tensor) ?? { bytes: 0, partial: true };
    moved.set(t.tensor, { bytes: m.bytes + t.bytes, partial: m.partial && t.partial });
  }
  const size = (id: string) => {
    const t = program.tensors.find((x) => x.id === id)!;
    return t.range.size * DTYPE_BYTES[t.dtype];
  };
  const largest = (ids: readonly string[]) =>
    ids.reduce<string | undefined>((best, id) => {
      if (best === undefined) return id;
      const [a, b] = [size(id), size(best)];
      if (a !== b) return a > b ? id : best;
      return (moved.get(id)?.bytes ?? 0) > (moved.get(best)?.bytes ?? 0) ? id : best;
    }, undefined);
  const ids = program.tensors.map((t) => t.id);
  const spread = (id: string) => new Set((graph.writers[id] ?? []).map((w) => w.device)).size > 1;
  return (
    largest(ids.filter((id) => moved.has(id) && !moved.get(id)!.partial)) ??
    largest(ids.filter((id) => moved.has(id))) ??
    largest(ids.filter(spread)) ??
    largest(ids)!
  );
}

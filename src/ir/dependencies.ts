import type { Operation } from "./program.js";

/** For each operation (by position), the positions of the operations it reads from. */
export function operationDependencies(ops: readonly Operation[]): number[][] {
  const writers = new Map<string, { op: number; range: Operation["outputs"][number]["range"] }[]>();
  ops.forEach((op, i) => {
    for (const o of op.outputs) {
      const list = writers.get(o.tensor) ?? [];
      list.push({ op: i, range: o.range });
      writers.set(o.tensor, list);
    }
  });
  return ops.map((op) => {
    const deps = new Set<number>();
    for (const inp of op.inputs) {
      for (const w of writers.get(inp.tensor) ?? []) {
        if (w.range.rank === inp.range.rank && w.range.intersects(inp.range)) deps.add(w.op);
      }
    }
    return [...deps].sort((a, b) => a - b);
  });
}

/**
 * A topological order of the operations (stable: ties keep program order), or the positions of
 * the operations left on a cycle when there is none.
 */
export function topologicalOrder(ops: readonly Operation[]): { order: number[]; cyclic: number[] } {
  const deps = operationDependencies(ops);
  const indegree = deps.map((d) => d.length);
  const users: number[][] = ops.map(() => []);
  deps.forEach((ds, i) => {
    for (const d of ds) users[d]!.push(i);
  });
  const ready = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const next = ready.shift()!;
    order.push(next);
    for (const u of users[next]!) {
      indegree[u]!--;
      if (indegree[u] === 0) ready.push(u);
    }
  }
  const placed = new Set(order);
  return { order, cyclic: ops.map((_, i) => i).filter((i) => !placed.has(i)) };
}

import type { Operation } from "./program.js";

/** For each tensor, the positions of the operations that write (part of) it, in program order. */
export function tensorWriters(ops: readonly Operation[]): Map<string, number[]> {
  const writers = new Map<string, number[]>();
  ops.forEach((op, i) => {
    for (const tensor of new Set(op.outputs.map((o) => o.tensor))) {
      const list = writers.get(tensor);
      if (list === undefined) writers.set(tensor, [i]);
      else list.push(i);
    }
  });
  return writers;
}

/** For each operation (by position), the positions of the operations it reads from. */
export function operationDependencies(ops: readonly Operation[]): number[][] {
  const writers = tensorWriters(ops);
  return ops.map((op) => {
    const deps = new Set<number>();
    for (const inp of op.inputs) {
      for (const w of writers.get(inp.tensor) ?? []) {
        const overlaps = ops[w]!.outputs.some(
          (o) => o.tensor === inp.tensor && o.range.rank === inp.range.rank && o.range.intersects(inp.range),
        );
        if (overlaps) deps.add(w);
      }
    }
    return [...deps].sort((a, b) => a - b);
  });
}

/**
 * A topological order of the operations (stable: ties keep program order). When there is a
 * cycle, `order` holds what can be ordered and `cyclic` the operations on a cycle (or on a path
 * between two cycles), but not those that merely depend on one.
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
  // Kahn's algorithm leaves the cycles and everything downstream of them: peel off, repeatedly,
  // the unplaced operations that no unplaced operation reads from, so that the cycles remain.
  const left = new Set(ops.map((_, i) => i).filter((i) => !placed.has(i)));
  for (let peeled = true; peeled; ) {
    peeled = false;
    for (const i of left) {
      if (users[i]!.some((u) => left.has(u))) continue;
      left.delete(i);
      peeled = true;
    }
  }
  return { order, cyclic: [...left].sort((a, b) => a - b) };
}

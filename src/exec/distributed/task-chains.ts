/** What `chainFrom` needs of a run's task graph, by task index. */
export interface ChainGraph {
  /** The device of each task. */
  readonly devices: readonly string[];
  /** The tasks each task reads from (indices). */
  readonly deps: readonly (readonly number[])[];
  /** Whether each task writes a transfer another device waits for. */
  readonly sendsTransfers: readonly boolean[];
}

/**
 * The chain of tasks one job runs, starting at `first` (ready: every task it reads from is
 * done): `first`, then the following tasks of the same device in task order, as long as each
 * reads only from done tasks and tasks of the chain, is not queued already (`taken`), and at
 * most `limit` in all. A chain ends at a task that sends a transfer, so another device never
 * waits for the rest of a chain. The worker runs a chain in order, keeping what each task
 * produced in memory for the next, so a chain costs one queue round trip instead of one per task.
 *
 * Example: tasks `fc1#0@d0, fc1#1@d1, act#0@d0, act#1@d1` with `act#k` reading `fc1#k` and no
 * transfers: `chainFrom(0)` is `[0, 2]` and `chainFrom(1)` is `[1, 3]`.
 */
export function chainFrom(
  first: number,
  graph: ChainGraph,
  done: readonly boolean[],
  taken: (task: number) => boolean,
  limit: number,
): number[] {
  const chain = [first];
  const inChain = new Set(chain);
  const device = graph.devices[first];
  for (let j = first + 1; j < graph.devices.length && chain.length < limit; j++) {
    if (graph.sendsTransfers[chain[chain.length - 1]!]) break;
    if (graph.devices[j] !== device || done[j]) continue;
    if (taken(j) || !graph.deps[j]!.every((d) => done[d] || inChain.has(d))) break;
    chain.push(j);
    inChain.add(j);
  }
  return chain;
}

import type { ExecutorOverheads } from "../cluster/cluster.js";

/**
 * How a task's duration depends on its host's load at each moment. Devices of one host share
 * its memory system (and, for the local executor, the coordinator's attention), so a task runs
 * at the rate of the kernel table measured at the number of the host's devices computing *now*,
 * and changes rate when another device of the host starts or ends a task (processor sharing).
 * A load state is one distinct (table level, dispatch term) pair; counts of busy devices that
 * price tasks alike share a state, so a cluster without busy-level tables or executor terms has
 * one state and its tasks keep the duration they start with.
 */
export interface HostLoad {
  /** Number of distinct load states (1: durations never change with load). */
  readonly states: number;
  /** Load state of each count of busy devices on a host, `[k]` for k = 1..maxDevices (index 0 unused). */
  readonly stateOfCount: Int32Array;
  /** Busy level index (into the context's `busyLevels`) of each state. */
  readonly stateLevel: Int32Array;
  /** Seconds of dispatch the executor adds to a task in each state. */
  readonly stateDispatch: Float64Array;
  /** Devices of each host (compressed rows over `hostDevs`). */
  readonly hostDevStart: Int32Array;
  readonly hostDevs: Int32Array;
}

/**
 * The load states of a plan's devices: each count k of a host's devices computing at once is
 * priced at the smallest busy level at least k (else the largest) and with the executor's
 * dispatch alone (k = 1) or shared (k > 1); equal pairs are one state.
 *
 * Example: levels [1, 2, ∞], dispatch 0.1 ms alone and 0.15 ms shared, two devices per host:
 * k = 1 → (level 0, 0.1 ms), k = 2 → (level 1, 0.15 ms): two states.
 */
export function hostLoad(
  devHost: Int32Array,
  hosts: number,
  busyLevels: readonly number[],
  executor: ExecutorOverheads | undefined,
): HostLoad {
  const counts = new Int32Array(hosts);
  for (const h of devHost) counts[h]! += 1;
  const hostDevStart = new Int32Array(hosts + 1);
  for (let h = 0; h < hosts; h++) hostDevStart[h + 1] = hostDevStart[h]! + counts[h]!;
  const hostDevs = new Int32Array(devHost.length);
  const cursor = hostDevStart.slice(0, hosts);
  devHost.forEach((h, d) => {
    hostDevs[cursor[h]!] = d;
    cursor[h]! += 1;
  });
  const maxDevices = Math.max(1, ...counts);
  const stateOfCount = new Int32Array(maxDevices + 1);
  const levels: number[] = [];
  const dispatches: number[] = [];
  for (let k = 1; k <= maxDevices; k++) {
    let level = 0;
    while (level < busyLevels.length - 1 && busyLevels[level]! < k) level++;
    const dispatch = taskOverheadSeconds(executor, k);
    let s = levels.findIndex((l, i) => l === level && dispatches[i] === dispatch);
    if (s < 0) {
      s = levels.length;
      levels.push(level);
      dispatches.push(dispatch);
    }
    stateOfCount[k] = s;
  }
  return {
    states: levels.length,
    stateOfCount,
    stateLevel: Int32Array.from(levels),
    stateDispatch: Float64Array.from(dispatches),
    hostDevStart,
    hostDevs,
  };
}

/**
 * Seconds the executor adds to a task on its device (dispatch) while `busy` devices of its host
 * compute: `taskDispatchBusy` when others do (`busy > 1`) and it is given, else `taskDispatch`;
 * 0 without overheads.
 */
export function taskOverheadSeconds(executor: ExecutorOverheads | undefined, busy = 1): number {
  if (executor === undefined) return 0;
  return busy > 1 ? (executor.taskDispatchBusy ?? executor.taskDispatch) : executor.taskDispatch;
}

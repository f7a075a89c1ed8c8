import type { ComputeInterval, Simulation, TransferInterval } from "../cost/simulation.js";
import type { TaskGraph } from "../plan/task-graph.js";

/**
 * Why an item on the critical path starts when it does: `first` (nothing before it ends at its
 * start: the chain begins), `dependency` (a task it reads from on its own device ends),
 * `arrival` (a transfer it reads arrives), `device` (the previous task on its device ends: a
 * resource wait), `producer` (a transfer's producing task ends), `port` (a transfer waits for
 * a link port held by an earlier transfer).
 */
export type CriticalLink = "first" | "dependency" | "arrival" | "device" | "producer" | "port";

/** One item of a critical path: a compute interval or a transfer, with its index in the timeline. */
export type CriticalItem =
  | {
      readonly kind: "compute";
      /** Index into `sim.timeline.compute`. */
      readonly index: number;
      readonly interval: ComputeInterval;
      readonly after: CriticalLink;
    }
  | {
      readonly kind: "transfer";
      /** Index into `sim.timeline.transfers`. */
      readonly index: number;
      readonly interval: TransferInterval;
      readonly after: CriticalLink;
    };

/** True when `a` and `b` agree within 1e-12 relative (exactly, at zero). */
function sameTime(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * The longest dependency chain of a simulation, first item first, ending with the compute
 * interval that ends last (at the makespan). Walking back from it, each item's predecessor is
 * the first of these whose end equals the item's start (within 1e-12 relative):
 *
 * - for a task: a task it depends on, on the same device (`dependency`); then a transfer it
 *   reads (`arrival`); then the task before it on its device (`device`, a resource wait);
 * - for a transfer: its producing task (`producer`), or, for a transfer of a collective, the
 *   producer of any transfer of the same phase (same start and end); then the transfer that
 *   held a port it needs — same sender or receiver and link class — and started last before
 *   it while still in flight at its start (`port`: the timeline records arrivals, which trail
 *   the port's release by the link latency, so this one match is looser).
 *
 * The walk stops at an item nothing explains (it starts at 0, or after a wait the timeline
 * cannot attribute). An empty timeline gives `[]`.
 *
 * Example: a chain `a → b` on one device gives `[a (first), b (dependency)]`; with `b` on
 * another device, `[a (first), a→b transfer (producer), b (arrival)]`.
 */
export function criticalPath(sim: Simulation, graph: TaskGraph): CriticalItem[] {
  const { compute, transfers } = sim.timeline;
  if (compute.length === 0) return [];
  const taskIndex = new Map(compute.map((c, i) => [c.task, i]));
  const transferIndex = new Map(transfers.map((x, i) => [x.id, i]));
  const byDevice = new Map<string, number[]>();
  compute.forEach((c, i) => {
    const list = byDevice.get(c.device) ?? [];
    list.push(i);
    byDevice.set(c.device, list);
  });
  for (const list of byDevice.values())
    list.sort((a, b) => compute[a]!.start - compute[b]!.start || compute[a]!.end - compute[b]!.end);
  const previousOnDevice = new Map<number, number>();
  for (const list of byDevice.values())
    for (let k = 1; k < list.length; k++) previousOnDevice.set(list[k]!, list[k - 1]!);

  // Transfers by the ports they hold (sender or receiver, per link class) and by collective,
  // so that each step of the walk looks at its neighbours only, not at every transfer.
  const byPort = new Map<string, number[]>();
  const byCollective = new Map<number, number[]>();
  transfers.forEach((x, j) => {
    for (const port of [`${x.cls}>${x.from}`, `${x.cls}<${x.to}`]) {
      const list = byPort.get(port) ?? [];
      list.push(j);
      byPort.set(port, list);
    }
    if (x.collective !== undefined) {
      const list = byCollective.get(x.collective) ?? [];
      list.push(j);
      byCollective.set(x.collective, list);
    }
  });

  const producerOf = (x: TransferInterval): number | undefined => {
    const source = graph.transfers[x.id]?.source;
    return source?.kind === "task" ? taskIndex.get(source.task) : undefined;
  };

  let last = 0;
  compute.forEach((c, i) => {
    if (c.end > compute[last]!.end) last = i;
  });
  const path: CriticalItem[] = [];
  const seen = new Set<string>();
  let current: { kind: "compute" | "transfer"; index: number } | undefined = { kind: "compute", index: last };
  while (current !== undefined && !seen.has(`${current.kind}${current.index}`)) {
    seen.add(`${current.kind}${current.index}`);
    const step: { kind: "compute" | "transfer"; index: number; after: CriticalLink } | undefined =
      current.kind === "compute" ? beforeTask(current.index) : beforeTransfer(current.index);
    const after = step?.after ?? "first";
    path.push(
      current.kind === "compute"
        ? { kind: "compute", index: current.index, interval: compute[current.index]!, after }
        : { kind: "transfer", index: current.index, interval: transfers[current.index]!, after },
    );
    current = step;
  }
  // Each item was pushed with the link to its predecessor; reversing keeps that pairing.
  return path.reverse();

  function beforeTask(i: number) {
    const c = compute[i]!;
    const deps = (graph.deps[c.task] ?? []).map((d) => taskIndex.get(d));
    const dep = deps.find(
      (d) => d !== undefined && compute[d]!.device === c.device && sameTime(compute[d]!.end, c.start),
    );
    if (dep !== undefined) return { kind: "compute" as const, index: dep, after: "dependency" as const };
    for (const piece of graph.reads[c.task] ?? []) {
      const x = piece.transfer === null ? undefined : transferIndex.get(piece.transfer);
      if (x !== undefined && sameTime(transfers[x]!.end, c.start))
        return { kind: "transfer" as const, index: x, after: "arrival" as const };
    }
    const prev = previousOnDevice.get(i);
    if (prev !== undefined && sameTime(compute[prev]!.end, c.start))
      return { kind: "compute" as const, index: prev, after: "device" as const };
    return undefined;
  }

  function beforeTransfer(i: number) {
    const x = transfers[i]!;
    const phase =
      x.collective === undefined
        ? [x]
        : (byCollective.get(x.collective) ?? [])
            .map((j) => transfers[j]!)
            .filter((y) => y.start === x.start && y.end === x.end);
    for (const y of phase) {
      const p = producerOf(y);
      if (p !== undefined && sameTime(compute[p]!.end, x.start))
        return { kind: "compute" as const, index: p, after: "producer" as const };
    }
    // The transfer that started last before it among those sharing a port and still in flight
    // at its start; on equal starts the first in timeline order.
    let port: number | undefined;
    for (const key of [`${x.cls}>${x.from}`, `${x.cls}<${x.to}`]) {
      for (const j of byPort.get(key) ?? []) {
        const y = transfers[j]!;
        const inFlight = y.start < x.start && (y.end >= x.start || sameTime(y.end, x.start));
        if (j === i || !inFlight) continue;
        const s = port === undefined ? undefined : transfers[port]!.start;
        if (s === undefined || y.start > s || (y.start === s && j < port!)) port = j;
      }
    }
    return port === undefined
      ? undefined
      : { kind: "transfer" as const, index: port, after: "port" as const };
  }
}

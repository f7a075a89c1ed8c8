import type { SimContext } from "./context.js";
import { EventHeap } from "./event-heap.js";
import {
  checkpoint,
  endTrace,
  type Resume,
  restore,
  type ScheduleTrace,
  startTrace,
} from "./schedule-trace.js";
import { sized, type Workspace } from "./workspace.js";

// The list schedule, as a discrete-event simulation over the compiled tables.
//
// - A device runs its tasks one at a time in execution order; a task starts when its device is
//   free and every transfer it reads has arrived (same-device producers come earlier in the
//   device's order, so they are done).
// - With several load states (`HostLoad`: busy-level kernel tables or a busy dispatch term), a
//   task's rate follows how many devices of its host compute at each moment: when one starts or
//   ends a task, the host's other running tasks are re-rated and pushed again at their new
//   projected end; the keys they leave behind are skipped when taken. The tasks of a host are
//   few (its devices), so this costs O(devices per host · log n) per start or end. Compute
//   shares the host this way, not ports: a kernel's slowdown under load is measured, not
//   derived from a shared-resource model.
// - A transfer is ready when its producer ends (at 0 from a program input at home). Each
//   device has an egress and an ingress port per link class; a transfer needs the sender's
//   egress and the receiver's ingress of its class, which serve transfers first come, first
//   served in order of readiness (ties: producer, then transfer id). It starts at
//   max(ready, both ports free), holds both ports for bytes / bandwidth, and arrives one
//   latency later.
// - A collective phase (collective pricing) is ready when all its members are; it starts when
//   every port of its ring edges is free, holds them all for its ring time, and delivers all
//   its members at its end.
//
// Why FIFO ports and not a fair-share fluid model: the last of k transfers that share a port
// arrives after k · bytes / bandwidth under either model (the port is equally busy), but a
// fluid model must re-rate every flow whenever one starts or ends, while FIFO settles a
// transfer's start and end the moment it is ready — O(log n) per transfer, which keeps
// re-simulation cheap enough for a search. FIFO also lets the first transfers finish early,
// as serialised messages on a real link do.
//
// Events (task ends, arrivals) are taken from a heap in time order, so memory is accounted as
// it happens: a running sum per device and its maximum, with no sorting. A task's outputs are
// allocated when it starts and freed when their last same-device reader ends or their last
// transfer has arrived (never for program outputs); a received piece is allocated when it
// arrives and freed when its last reader ends. At one instant, task ends are handled before
// arrivals (ties by task index, then transfer id): what a task frees when it ends is gone
// before anything allocated at that instant.

/** No task can start any more: the execution order and the collectives' barriers block each other. */
export class ScheduleDeadlock extends Error {}

/**
 * Runs the list schedule over the compiled tables (consuming their counters): fills task and
 * transfer start and end times and each device's peak memory (resident inputs included).
 * Throws `ScheduleDeadlock` when some task can never start: with plain transfers that would
 * be an order that does not respect dependencies (a bug, since plans are validated first);
 * with ring-priced collectives it can happen for valid explicit orders (see the simulator).
 */
export function runSchedule(
  ctx: SimContext,
  trace: ScheduleTrace | null = null,
  from: Resume | null = null,
): void {
  const ws = ctx.ws;
  const { T, X, D } = ws;
  const P = ws.phaseCount;
  ws.taskStart = sized(ws.taskStart, T);
  ws.taskEnd = sized(ws.taskEnd, T);
  ws.xStart = sized(ws.xStart, X);
  ws.xEnd = sized(ws.xEnd, X);
  ws.ptr = sized(ws.ptr, D);
  ws.busy = sized(ws.busy, D);
  ws.live = sized(ws.live, D);
  ws.peak = sized(ws.peak, D);
  ws.egFree = sized(ws.egFree, 2 * D);
  ws.inFree = sized(ws.inFree, 2 * D);
  const { states: S, stateOfCount, hostDevStart, hostDevs } = ctx.load;
  // Under processor sharing every start or end on a host may re-key each other running task
  // of the host once (stale keys stay in the heap and are skipped when taken).
  const rekeys = S > 1 ? 2 * T * (stateOfCount.length - 2) : 0;
  ws.heapKey = sized(ws.heapKey, T + X + 1 + rekeys);
  ws.heapItem = sized(ws.heapItem, T + X + 1 + rekeys);
  ws.runRem = sized(ws.runRem, D);
  ws.runAt = sized(ws.runAt, D);
  ws.runState = sized(ws.runState, D);
  ws.runEnd = sized(ws.runEnd, D);
  ws.hostRun = sized(ws.hostRun, ctx.hosts);
  ws.tryQueue = sized(ws.tryQueue, D + T);
  const { taskStart, taskEnd, xStart, xEnd, pending, remOut, xRem, ptr, busy, live, peak, egFree, inFree } =
    ws;
  const { inStart, inX, locStart, locT, outHead, xNext, consHead, qTask, qNext, devSeq, devStart } = ws;
  const { taskDev, taskDur, taskOut, taskKeep, xFrom, xTo, xCls, xBytes, xProducer, xPhase, tryQueue } = ws;
  const { taskDurS, runRem, runAt, runState, runEnd, hostRun } = ws;
  const { devHost } = ctx;
  /** Host `h` now has `hostRun[h]` devices computing: re-rates its running tasks but `skip`'s. */
  const rerate = (h: number, skip: number, now: number): void => {
    const k = hostRun[h]!;
    if (k === 0) return;
    const s = stateOfCount[k]!;
    for (let q = hostDevStart[h]!; q < hostDevStart[h + 1]!; q++) {
      const e = hostDevs[q]!;
      if (e === skip || busy[e] !== 1 || runState[e] === s) continue;
      const t = devSeq[ptr[e]!]!;
      const left = runRem[e]! - (now - runAt[e]!) / taskDurS[t * S + runState[e]!]!;
      runRem[e] = Math.max(left, 0);
      runAt[e] = now;
      runState[e] = s;
      const end = now + runRem[e]! * taskDurS[t * S + s]!;
      runEnd[e] = end;
      taskEnd[t] = end;
      heap.push(end, t);
    }
  };
  const { bandwidth, latency } = ctx;
  const heap = new EventHeap(ws.heapKey, ws.heapItem);

  for (let ph = 0; ph < P; ph++) ws.phPending[ph] = ws.phStart[ph + 1]! - ws.phStart[ph]!;
  // Each round handles one event at `now`: it sends the transfers listed from `sending`, then
  // tries to start the next task on each device queued in `tryQueue`, then takes the next event.
  let now = 0;
  let sending = ws.inputHead;
  let tries = 0;
  if (from === null) {
    ptr.set(devStart.subarray(0, D));
    busy.fill(0, 0, D);
    live.set(ws.base.subarray(0, D));
    peak.set(ws.base.subarray(0, D));
    egFree.fill(0, 0, 2 * D);
    inFree.fill(0, 0, 2 * D);
    hostRun.fill(0, 0, ctx.hosts);
    for (let d = 0; d < D; d++) tryQueue[tries++] = d;
  } else {
    // Everything up to `from.now` happened as in the parent's run (see `resumePoint`).
    now = restore(ws, heap, from);
    sending = -1;
  }
  if (trace !== null) startTrace(trace, ws);
  let sinceCheckpoint = 0;
  let events = from === null ? 0 : from.at.events;
  for (;;) {
    for (let x = sending; x >= 0; x = xNext[x]!) {
      const ph = P > 0 ? xPhase[x]! : -1;
      if (ph >= 0) {
        if (--ws.phPending[ph]! === 0) runPhase(ws, heap, ph, now);
        continue;
      }
      const from = xFrom[x]!;
      const to = xTo[x]!;
      const eg = 2 * from + xCls[x]!;
      const ig = 2 * to + xCls[x]!;
      let start = now;
      if (egFree[eg]! > start) start = egFree[eg]!;
      if (inFree[ig]! > start) start = inFree[ig]!;
      const busyEnd = start + xBytes[x]! / bandwidth[from * D + to]!;
      egFree[eg] = busyEnd;
      inFree[ig] = busyEnd;
      xStart[x] = start;
      xEnd[x] = busyEnd + latency[from * D + to]!;
      heap.push(xEnd[x]!, T + x);
    }
    while (tries > 0) {
      const d = tryQueue[--tries]!;
      if (busy[d] === 1 || ptr[d] === devStart[d + 1]) continue;
      const t = devSeq[ptr[d]!]!;
      if (pending[t]! > 0) continue;
      busy[d] = 1;
      taskStart[t] = now;
      if (S === 1) taskEnd[t] = now + taskDur[t]!;
      else {
        const h = devHost[d]!;
        hostRun[h]! += 1;
        rerate(h, d, now);
        const st = stateOfCount[hostRun[h]!]!;
        runRem[d] = 1;
        runAt[d] = now;
        runState[d] = st;
        taskEnd[t] = now + taskDurS[t * S + st]!;
        runEnd[d] = taskEnd[t]!;
      }
      const v = live[d]! + taskOut[t]!;
      live[d] = v;
      if (v > peak[d]!) peak[d] = v;
      heap.push(taskEnd[t]!, t);
    }
    if (heap.size === 0) break;
    // A checkpoint sees every event at `now` handled and none later (the next is strictly later).
    if (trace !== null && ++sinceCheckpoint >= trace.every && heap.peekKey() > now) {
      checkpoint(trace, ws, heap, now, events);
      sinceCheckpoint = 0;
    }
    now = heap.peekKey();
    const item = heap.pop();
    if (S > 1 && item < T) {
      // A key left behind by a re-rating: the task has ended or runs to a later end now.
      const d = taskDev[item]!;
      if (busy[d] !== 1 || devSeq[ptr[d]!] !== item || runEnd[d] !== now) {
        sending = -1;
        continue;
      }
    }
    events++;
    sending = -1;
    if (item < T) {
      // Task `item` ends: free what it was the last to read, send what it wrote, start the next.
      const t = item;
      const d = taskDev[t]!;
      for (let q = inStart[t]!; q < inStart[t + 1]!; q++) {
        const x = inX[q]!;
        if (--xRem[x]! === 0) live[d]! -= xBytes[x]!;
      }
      for (let q = locStart[t]!; q < locStart[t + 1]!; q++) {
        const p = locT[q]!;
        if (--remOut[p]! === 0 && taskKeep[p] === 0) live[d]! -= taskOut[p]!;
      }
      if (remOut[t] === 0 && taskKeep[t] === 0) live[d]! -= taskOut[t]!;
      sending = outHead[t]!;
      busy[d] = 0;
      ptr[d]! += 1;
      tryQueue[tries++] = d;
      if (S > 1) {
        hostRun[devHost[d]!]! -= 1;
        rerate(devHost[d]!, d, now);
      }
    } else {
      // Transfer `item − T` arrives: its bytes now occupy the receiver; its readers may start.
      const x = item - T;
      const to = xTo[x]!;
      const v = live[to]! + xBytes[x]!;
      live[to] = v;
      if (v > peak[to]!) peak[to] = v;
      const p = xProducer[x]!;
      if (p >= 0 && --remOut[p]! === 0 && taskKeep[p] === 0) live[taskDev[p]!]! -= taskOut[p]!;
      for (let q = consHead[x]!; q >= 0; q = qNext[q]!) {
        const c = qTask[q]!;
        if (--pending[c]! === 0) tryQueue[tries++] = taskDev[c]!;
      }
    }
  }
  if (trace !== null) endTrace(trace, ws, events);
  for (let d = 0; d < D; d++) {
    if (ptr[d] !== devStart[d + 1]) {
      const t = devSeq[ptr[d]!]!;
      throw new ScheduleDeadlock(`simulator: task ${t} on device ${ctx.devices[d]} can never start`);
    }
  }
}

/** Runs collective phase `ph` once all its members are ready at `now`: it waits for every ring port. */
function runPhase(ws: Workspace, heap: EventHeap, ph: number, now: number): void {
  const { egFree, inFree, phEgress, phIngress, phX, xStart, xEnd } = ws;
  let start = now;
  const p0 = ws.phPortStart[ph]!;
  const p1 = ws.phPortStart[ph + 1]!;
  for (let q = p0; q < p1; q++) {
    if (egFree[phEgress[q]!]! > start) start = egFree[phEgress[q]!]!;
    if (inFree[phIngress[q]!]! > start) start = inFree[phIngress[q]!]!;
  }
  const end = start + ws.phDur[ph]!;
  for (let q = p0; q < p1; q++) {
    egFree[phEgress[q]!] = end;
    inFree[phIngress[q]!] = end;
  }
  for (let q = ws.phStart[ph]!; q < ws.phStart[ph + 1]!; q++) {
    const x = phX[q]!;
    xStart[x] = start;
    xEnd[x] = end;
    heap.push(end, ws.T + x);
  }
}

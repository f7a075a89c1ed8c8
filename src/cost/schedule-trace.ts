import type { EventHeap } from "./event-heap.js";
import { sized, type Workspace } from "./workspace.js";

// Resuming a schedule from its parent's. A plan derived by changing operations at derivation
// positions ≥ `from` compiles to the same tasks (indices below `Tp`) and transfers (ids below
// `Xp`) as its parent for the operations before `from` (the prefix): tasks, devices, durations,
// inputs. Its schedule can only differ from the parent's once something of the suffix happens:
//
// - a suffix task starts: not before its device has ended its prefix tasks (in derivation
//   order every prefix task comes before every suffix task on a device);
// - a transfer a suffix operation reads leaves, or the count of readers of a prefix output
//   changes what is freed when: not before that prefix output's producer ends;
// - a program input is sent from its home to a suffix operation: at time 0.
//
// With `t0` the earliest such time in either run (bounded with the parent's times, which are
// the child's before `t0`), every event before `t0` is the same in both runs. The parent's run
// records checkpoints (the whole scheduler state at an instant whose events are all handled);
// the child restores the last one before `t0`, maps it onto its own tables, and runs on.

/** The scheduler's state at one instant of a recorded run, all events up to `now` handled. */
interface Checkpoint {
  readonly now: number;
  /** Events handled by then. */
  readonly events: number;
  readonly heapKey: Float64Array;
  readonly heapItem: Int32Array;
  readonly ptr: Int32Array;
  readonly busy: Uint8Array;
  readonly live: Float64Array;
  readonly peak: Float64Array;
  readonly egFree: Float64Array;
  readonly inFree: Float64Array;
  readonly pending: Int32Array;
  readonly remOut: Int32Array;
  readonly xRem: Int32Array;
  /** Each device's running task's progress and the host counts (processor sharing; empty with one load state). */
  readonly runRem: Float64Array;
  readonly runAt: Float64Array;
  readonly runState: Int32Array;
  readonly runEnd: Float64Array;
  readonly hostRun: Int32Array;
}

/** A recorded point-to-point schedule in derivation order: what a derived plan resumes from. */
export interface ScheduleTrace {
  /** Events between checkpoints, and in the whole run. */
  every: number;
  events: number;
  T: number;
  X: number;
  opBase: Int32Array;
  opX: Int32Array;
  lastReader: Int32Array;
  homedReadPos: number;
  taskDev: Int32Array;
  devStart: Int32Array;
  base: Float64Array;
  /** The compiled counters before the schedule consumed them. */
  pending: Int32Array;
  remOut: Int32Array;
  xRem: Int32Array;
  checkpoints: Checkpoint[];
  /** Start and end times of every task and transfer. */
  taskStart: Float64Array;
  taskEnd: Float64Array;
  xStart: Float64Array;
  xEnd: Float64Array;
}

/** Where a derived plan's schedule resumes: a checkpoint of its parent's and the prefix bounds. */
export interface Resume {
  readonly trace: ScheduleTrace;
  readonly at: Checkpoint;
  readonly Tp: number;
  readonly Xp: number;
}

/**
 * What resuming saved since the process started (diagnostics for tests and benchmarks): derived
 * point-to-point evaluations, how many resumed, the parent events they replayed or skipped, and
 * how many parents' schedules were recorded (each a whole extra run).
 */
export const resumeStats = { runs: 0, resumed: 0, events: 0, skipped: 0, traces: 0 };

/** At most this many checkpoints per recorded run: memory and recording time against resume precision. */
const CHECKPOINTS = 16;

/** Counter elements all checkpoints of one trace may hold (16 MiB): large plans get fewer checkpoints. */
const CHECKPOINT_ELEMENTS = 2 ** 22;

/** Traces kept per simulator family (a search's parents in use), least recently used dropped first. */
const TRACES_KEPT = 4;

/**
 * The recorded schedules of the last few simulators of one family that derived plans resumed
 * from: bounded, because a trace of a plan of many thousand tasks holds megabytes and a search
 * keeps dozens of plans alive.
 */
export class TraceCache {
  private readonly entries: { owner: object; trace: ScheduleTrace }[] = [];

  /** The trace recorded for `owner`, or undefined (dropped or never recorded). */
  get(owner: object): ScheduleTrace | undefined {
    const i = this.entries.findIndex((e) => e.owner === owner);
    if (i < 0) return undefined;
    const [entry] = this.entries.splice(i, 1);
    this.entries.push(entry!);
    return entry!.trace;
  }

  /** Keeps `trace` for `owner`, dropping the least recently used beyond the limit. */
  put(owner: object, trace: ScheduleTrace): void {
    this.entries.push({ owner, trace });
    if (this.entries.length > TRACES_KEPT) this.entries.shift();
  }
}

const empty = new Float64Array(0);
const emptyInt = new Int32Array(0);

/** An empty trace for `runSchedule` to record into. */
export function newTrace(): ScheduleTrace {
  return {
    every: 1,
    events: 0,
    T: 0,
    X: 0,
    opBase: emptyInt,
    opX: emptyInt,
    lastReader: emptyInt,
    homedReadPos: -1,
    taskDev: emptyInt,
    devStart: emptyInt,
    base: empty,
    pending: emptyInt,
    remOut: emptyInt,
    xRem: emptyInt,
    checkpoints: [],
    taskStart: empty,
    taskEnd: empty,
    xStart: empty,
    xEnd: empty,
  };
}

/** Records the compiled tables a resume compares against (call before the schedule runs). */
export function startTrace(trace: ScheduleTrace, ws: Workspace): void {
  const { T, X, D } = ws;
  const nOps = ws.opBase.length;
  const count = Math.max(1, Math.min(CHECKPOINTS, Math.floor(CHECKPOINT_ELEMENTS / (2 * T + X + 1))));
  trace.every = Math.max(1, Math.ceil((T + X) / count));
  trace.T = T;
  trace.X = X;
  trace.opBase = ws.opBase.slice(0, nOps);
  trace.opX = ws.opX.slice(0, nOps);
  trace.lastReader = ws.lastReader.slice(0, T);
  trace.homedReadPos = ws.homedReadPos;
  trace.taskDev = ws.taskDev.slice(0, T);
  trace.devStart = ws.devStart.slice(0, D + 1);
  trace.base = ws.base.slice(0, D);
  trace.pending = ws.pending.slice(0, T);
  trace.remOut = ws.remOut.slice(0, T);
  trace.xRem = ws.xRem.slice(0, X);
  trace.checkpoints = [];
}

/** Records the scheduler's state at `now`, every event up to `now` handled. */
export function checkpoint(
  trace: ScheduleTrace,
  ws: Workspace,
  heap: EventHeap,
  now: number,
  events: number,
): void {
  const { T, X, D } = ws;
  trace.checkpoints.push({
    now,
    events,
    heapKey: ws.heapKey.slice(0, heap.size),
    heapItem: ws.heapItem.slice(0, heap.size),
    ptr: ws.ptr.slice(0, D),
    busy: ws.busy.slice(0, D),
    live: ws.live.slice(0, D),
    peak: ws.peak.slice(0, D),
    egFree: ws.egFree.slice(0, 2 * D),
    inFree: ws.inFree.slice(0, 2 * D),
    pending: ws.pending.slice(0, T),
    remOut: ws.remOut.slice(0, T),
    xRem: ws.xRem.slice(0, X),
    runRem: ws.runRem.slice(0, D),
    runAt: ws.runAt.slice(0, D),
    runState: ws.runState.slice(0, D),
    runEnd: ws.runEnd.slice(0, D),
    hostRun: ws.hostRun.slice(),
  });
}

/** Records the finished run's times and event count. */
export function endTrace(trace: ScheduleTrace, ws: Workspace, events: number): void {
  trace.events = events;
  trace.taskStart = ws.taskStart.slice(0, ws.T);
  trace.taskEnd = ws.taskEnd.slice(0, ws.T);
  trace.xStart = ws.xStart.slice(0, ws.X);
  trace.xEnd = ws.xEnd.slice(0, ws.X);
}

/**
 * Where the plan compiled in `ws` (point to point, derivation order) can resume the schedule
 * recorded in `trace`, given that the two plans differ only in operations at derivation
 * positions ≥ `from` (`order` is the derivation order); null when it must run from the start.
 */
export function resumePoint(
  trace: ScheduleTrace,
  ws: Workspace,
  order: readonly number[],
  from: number,
): Resume | null {
  const { D } = ws;
  if (from >= order.length || from <= 0) return null;
  const first = order[from]!;
  const Tp = ws.opBase[first]!;
  const Xp = ws.opX[first]!;
  if (trace.opBase[first] !== Tp || trace.opX[first] !== Xp) return null;
  if (ws.homedReadPos >= from || trace.homedReadPos >= from) return null;
  for (let d = 0; d < D; d++) {
    if (ws.base[d] !== trace.base[d]) return null;
  }
  // The end of each device's last prefix task (its tasks end in order), and how many it has.
  ws.prefixEnd = sized(ws.prefixEnd, D);
  ws.prefixCount = sized(ws.prefixCount, D);
  const { prefixEnd, prefixCount, taskDev, lastReader } = ws;
  prefixEnd.fill(0, 0, D);
  prefixCount.fill(0, 0, D);
  const ends = trace.taskEnd;
  let t0 = Number.POSITIVE_INFINITY;
  for (let t = 0; t < Tp; t++) {
    const d = taskDev[t]!;
    prefixEnd[d] = ends[t]!;
    prefixCount[d]! += 1;
    if ((lastReader[t]! >= from || trace.lastReader[t]! >= from) && ends[t]! < t0) t0 = ends[t]!;
  }
  for (let d = 0; d < D; d++) {
    const suffix =
      ws.devStart[d + 1]! - ws.devStart[d]! > prefixCount[d]! ||
      trace.devStart[d + 1]! - trace.devStart[d]! > prefixCount[d]!;
    if (suffix && prefixEnd[d]! < t0) t0 = prefixEnd[d]!;
  }
  const cps = trace.checkpoints;
  let i = cps.length - 1;
  while (i >= 0 && !(cps[i]!.now < t0)) i--;
  return i < 0 ? null : { trace, at: cps[i]!, Tp, Xp };
}

/**
 * Puts the scheduler in `ws` in the state `from` describes, mapped onto the tables compiled in
 * `ws` (whose counters hold their initial values); returns the time to resume at.
 */
export function restore(ws: Workspace, heap: EventHeap, from: Resume): number {
  const { D, T } = ws;
  const { trace, at, Tp, Xp } = from;
  for (let d = 0; d < D; d++) ws.ptr[d] = at.ptr[d]! - trace.devStart[d]! + ws.devStart[d]!;
  ws.busy.set(at.busy);
  ws.live.set(at.live);
  ws.peak.set(at.peak);
  ws.egFree.set(at.egFree);
  ws.inFree.set(at.inFree);
  ws.runRem.set(at.runRem);
  ws.runAt.set(at.runAt);
  ws.runState.set(at.runState);
  ws.runEnd.set(at.runEnd);
  ws.hostRun.set(at.hostRun);
  // Prefix counters: the child's initial counts less what the parent's run consumed by then
  // (entities the suffix reads were untouched by then, so only their initial counts differ).
  const { pending, remOut, xRem } = ws;
  for (let t = 0; t < Tp; t++) {
    pending[t]! += at.pending[t]! - trace.pending[t]!;
    remOut[t]! += at.remOut[t]! - trace.remOut[t]!;
  }
  for (let x = 0; x < Xp; x++) xRem[x]! += at.xRem[x]! - trace.xRem[x]!;
  ws.taskStart.set(trace.taskStart.subarray(0, Tp));
  ws.taskEnd.set(trace.taskEnd.subarray(0, Tp));
  ws.xStart.set(trace.xStart.subarray(0, Xp));
  ws.xEnd.set(trace.xEnd.subarray(0, Xp));
  // Pending events are prefix events: tasks keep their indices, transfers move with `T`.
  const n = at.heapKey.length;
  ws.heapKey.set(at.heapKey);
  for (let i = 0; i < n; i++) {
    const item = at.heapItem[i]!;
    ws.heapItem[i] = item < trace.T ? item : item - trace.T + T;
  }
  heap.size = n;
  return at.now;
}

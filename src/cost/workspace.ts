// Scratch arrays for compiling and scheduling, reused across evaluations so that a search
// evaluating thousands of neighbouring plans does not allocate per plan. One workspace is
// shared by a simulator and every simulator derived from it; evaluations are synchronous, so
// they never interleave.

type Typed = Int32Array | Float64Array | Uint8Array;

/** `a` when it holds `n` elements, else a zeroed array of the same kind at least twice as long. */
export function sized<A extends Typed>(a: A, n: number): A {
  if (a.length >= n) return a;
  const size = Math.max(n, 2 * a.length, 16);
  if (a instanceof Int32Array) return new Int32Array(size) as A;
  if (a instanceof Float64Array) return new Float64Array(size) as A;
  return new Uint8Array(size) as A;
}

/** Stamps stay below this; past it the stamped arrays are cleared and counting restarts. */
const STAMP_LIMIT = 2 ** 30;

/** Scratch state of one evaluation: the compiled task and transfer tables and the schedule. */
export class Workspace {
  /** Devices, tasks, transfers of the evaluation in progress. */
  D = 0;
  T = 0;
  X = 0;

  // Tasks, by derivation index.
  opBase = new Int32Array(0);
  taskOp = new Int32Array(0);
  taskLocal = new Int32Array(0);
  taskDev = new Int32Array(0);
  taskDur = new Float64Array(0);
  /** With several load states (`HostLoad`): each task's seconds in each, `[t * states + s]`. */
  taskDurS = new Float64Array(0);
  taskOut = new Float64Array(0);
  taskKeep = new Uint8Array(0);
  /** Distinct incoming transfers of each task (compressed rows). */
  inStart = new Int32Array(0);
  inX = new Int32Array(0);
  /** Distinct producer tasks on the same device (compressed rows). */
  locStart = new Int32Array(0);
  locT = new Int32Array(0);

  /** Per operation (by position in the program): its first transfer id (transfers it creates are numbered from there). */
  opX = new Int32Array(0);
  /** Per task: the position in derivation order of the last operation reading its outputs, −1 if none. */
  lastReader = new Int32Array(0);
  /** The last position in derivation order of an operation receiving a program input from its home device, −1 if none. */
  homedReadPos = -1;

  // Transfers, by id.
  xFrom = new Int32Array(0);
  xTo = new Int32Array(0);
  xCls = new Int32Array(0);
  xBytes = new Float64Array(0);
  xProducer = new Int32Array(0);
  xOp = new Int32Array(0);
  xPiece = new Int32Array(0);
  xPhase = new Int32Array(0);

  /** Dedup of (source region key, device) within one evaluation, an open-addressing table: stamp, key, device, transfer id. */
  seenStamp = new Int32Array(0);
  seenKey = new Int32Array(0);
  seenDev = new Int32Array(0);
  seenX = new Int32Array(0);
  private stamps = 0;

  // Pre-distributed input regions: one record per distinct (key, device).
  pdCount = 0;
  pdTensor = new Int32Array(0);
  pdDev = new Int32Array(0);
  pdOp = new Int32Array(0);
  pdPiece = new Int32Array(0);
  /** Pre-distributed (key, device) pairs seen in this evaluation, a table like `seenStamp`'s. */
  pdStamp = new Int32Array(0);
  pdSlotKey = new Int32Array(0);
  pdSlotDev = new Int32Array(0);
  /** Bytes resident on each device for the whole run (program inputs). */
  base = new Float64Array(0);

  // Host load (see `HostLoad`).
  /** The running task of each device under processor sharing: work left (1 = all) as of `runAt`, its state then, its projected end. */
  runRem = new Float64Array(0);
  runAt = new Float64Array(0);
  runState = new Int32Array(0);
  runEnd = new Float64Array(0);
  /** Devices of each host computing now. */
  hostRun = new Int32Array(0);

  // Execution order and per-device sequences.
  seq = new Int32Array(0);
  devStart = new Int32Array(0);
  devSeq = new Int32Array(0);
  devCursor = new Int32Array(0);

  // What the schedule walks, built by `compile`: transfers out of each producer (ascending ids;
  // `inputHead` starts the list out of program inputs), readers of each transfer (`q` indexes
  // `inX`), and the counters the schedule counts down.
  outHead = new Int32Array(0);
  outTail = new Int32Array(0);
  xNext = new Int32Array(0);
  inputHead = -1;
  consHead = new Int32Array(0);
  qTask = new Int32Array(0);
  qNext = new Int32Array(0);
  /** Incoming transfers not yet arrived, per task. */
  pending = new Int32Array(0);
  /** Readers (same-device tasks and transfers) not yet done, per task's outputs. */
  remOut = new Int32Array(0);
  /** Readers not yet done, per transfer. */
  xRem = new Int32Array(0);

  // Collective recognition: stamps over devices and transfers.
  private marks = 0;
  devMark = new Int32Array(0);
  devSeen = new Int32Array(0);
  xMark = new Int32Array(0);

  // Collective phases (collective pricing only): members, duration, ring ports.
  phaseCount = 0;
  phStart = new Int32Array(0);
  phX = new Int32Array(0);
  phDur = new Float64Array(0);
  phPortStart = new Int32Array(0);
  phEgress = new Int32Array(0);
  phIngress = new Int32Array(0);
  phPending = new Int32Array(0);

  // Schedule.
  taskStart = new Float64Array(0);
  taskEnd = new Float64Array(0);
  xStart = new Float64Array(0);
  xEnd = new Float64Array(0);
  ptr = new Int32Array(0);
  busy = new Uint8Array(0);
  egFree = new Float64Array(0);
  inFree = new Float64Array(0);
  heapKey = new Float64Array(0);
  heapItem = new Int32Array(0);
  /** Devices whose next task may be able to start at the current event. */
  tryQueue = new Int32Array(0);

  /** Resuming a derived plan's schedule: per device, the end of its last prefix task and their count. */
  prefixEnd = new Float64Array(0);
  prefixCount = new Int32Array(0);

  /** Live and peak bytes per device. */
  live = new Float64Array(0);
  peak = new Float64Array(0);

  /** A fresh stamp for `seenStamp` and `pdStamp` (one per compile). */
  nextStamp(): number {
    if (this.stamps >= STAMP_LIMIT) {
      this.seenStamp.fill(0);
      this.pdStamp.fill(0);
      this.stamps = 0;
    }
    return ++this.stamps;
  }

  /** A fresh stamp for `devMark`, `devSeen` and `xMark`. */
  nextMark(): number {
    if (this.marks >= STAMP_LIMIT) {
      this.devMark.fill(0);
      this.devSeen.fill(0);
      this.xMark.fill(0);
      this.marks = 0;
    }
    return ++this.marks;
  }
}

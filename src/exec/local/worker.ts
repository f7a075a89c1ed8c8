/**
 * The local executor's worker thread. It lives as long as its pool: it opens its kernel backend
 * once (so ONNX sessions, cached by shape, serve every run), and for each run stands for the
 * devices the coordinator names, holds their data (one `RegionStore` per device), runs the
 * tasks it is sent one at a time, and sends transfers straight to the receiving thread over the
 * port between them. At the end of a run it drops everything the run held, except the
 * program inputs the coordinator asked it to keep for later runs.
 */
import { parentPort, type TransferListItem, workerData } from "node:worker_threads";
import { decodeValidatedProgram } from "../../ir/decode-validated-program.js";
import { loadKernelDeclarationFile } from "../../kernels/declaration/load.js";
import { builtinRegistry } from "../../kernels/library/index.js";
import type { Region } from "../../kernels/region.js";
import { extendRegistry, type KernelRegistry } from "../../kernels/registry.js";
import type { BackendStats, KernelBackend } from "../backend/kernel-backend.js";
import { backendStatsSince } from "./backend-stats-delta.js";
import { type PreparedOperation, prepareOperation, runCombine, runShard } from "./execute-task.js";
import { openBackend } from "./open-backend.js";
import type { FromWorker, PieceMessage, RunStart, TaskOrder, ToWorker, WorkerInit } from "./protocol.js";
import { RegionStore } from "./region-store.js";
import { packRegion, rangeFromWire, regionFromWire } from "./region-wire.js";
import { errorToWire } from "./wire-error.js";

interface WorkerState {
  readonly registry: KernelRegistry;
  readonly backend: KernelBackend;
}

/** What this thread holds for the run in progress. */
interface RunState {
  readonly start: RunStart;
  readonly operations: ReadonlyMap<string, PreparedOperation>;
  readonly stores: Map<string, RegionStore>;
  /** The backend's counters when the run began. */
  readonly before: BackendStats;
  /** Tasks still computing: the run ends only after them. */
  readonly running: Set<Promise<void>>;
  /** Buffers of the run's input loads that are not kept: given back to the coordinator at the end. */
  readonly loaded: ArrayBuffer[];
}

const init = workerData as WorkerInit;
const coordinator = parentPort!;
let current: RunState | undefined;
/** The last run begun here: pieces of earlier runs are dropped, pieces of later ones kept until it begins. */
let lastRun = -1;
const early: PieceMessage[] = [];
/** Program-input regions kept between runs, by load id (see `KeptInputs`). */
const kept = new Map<string, { readonly device: string; readonly key: string; readonly region: Region }>();

function post(message: FromWorker, transferList: readonly TransferListItem[] = []): void {
  coordinator.postMessage(message, transferList);
}

function state(): RunState {
  if (current === undefined) throw new Error("no run in progress");
  return current;
}

function store(device: string): RegionStore {
  const { stores } = state();
  let s = stores.get(device);
  if (s === undefined) {
    s = new RegionStore();
    stores.set(device, s);
  }
  return s;
}

async function setup(): Promise<WorkerState> {
  const registry = extendRegistry(builtinRegistry(), init.kernelFiles.map(loadKernelDeclarationFile));
  return { registry, backend: await openBackend(init.backend) };
}

function begin(s: WorkerState, start: RunStart): void {
  if (current !== undefined) throw new Error(`run ${start.run} begun before run ${current.start.run} ended`);
  // The coordinator validated the program; re-validating in every thread would only cost time.
  const program = decodeValidatedProgram(start.program);
  const operations = new Map(
    program.operations.map((op) => [op.id, prepareOperation(op, s.registry.get(op.kernel)!)]),
  );
  current = {
    start,
    operations,
    stores: new Map(),
    before: s.backend.stats(),
    running: new Set(),
    loaded: [],
  };
  lastRun = start.run;
  const reused = new Set(start.keep);
  for (const [id, k] of kept) {
    if (reused.has(id)) store(k.device).put(k.key, k.region);
    else kept.delete(id);
  }
  const waiting = early.splice(0);
  for (const piece of waiting) if (piece.run === start.run) receive(piece);
}

async function end(s: WorkerState): Promise<void> {
  const run = state();
  await Promise.all(run.running);
  current = undefined;
  const total = s.backend.stats();
  // The run's stores are gone and no task is running: nothing here reads these buffers any more.
  const buffers = run.loaded;
  post({ type: "ended", backend: backendStatsSince(run.before, total), total, buffers }, buffers);
}

function injectFault(run: RunState, task: string): void {
  const fault = run.start.fault;
  if (fault === null || fault.task !== task) return;
  if (fault.kind === "exit") process.exit(1);
  throw new Error(`fault injected into task ${task} (testing hook)`);
}

async function runTask(s: WorkerState, run: RunState, order: TaskOrder): Promise<void> {
  const started = performance.now();
  try {
    injectFault(run, order.id);
    if (order.kind === "combine") runCombine(order, store(order.device));
    else await runShard(order, run.operations.get(order.op)!, s.backend, store(order.device));
  } catch (error: unknown) {
    post({ type: "failed", task: order.id, error: errorToWire(error) });
    return;
  }
  post({ type: "done", task: order.id, busyMs: performance.now() - started });
}

function receive(piece: PieceMessage): void {
  if (current === undefined || piece.run !== current.start.run) {
    // A piece can overtake its run's `begin` (they come over different ports): keep it until then.
    if (piece.run > lastRun) early.push(piece);
    return;
  }
  store(piece.to).put(piece.key, regionFromWire(piece.region));
  post({ type: "arrived", transfer: piece.transfer, bytes: piece.region.data.byteLength });
}

async function handle(s: WorkerState, m: ToWorker): Promise<void> {
  switch (m.type) {
    case "begin":
      begin(s, m);
      return;
    case "load": {
      const region = regionFromWire(m.region);
      store(m.device).put(m.key, region);
      if (m.keepAs !== null) kept.set(m.keepAs, { device: m.device, key: m.key, region });
      else if (region.data.buffer instanceof ArrayBuffer) state().loaded.push(region.data.buffer);
      return;
    }
    case "send": {
      const range = rangeFromWire(m.range);
      const held = store(m.from).find(m.key, range);
      if (held === undefined) throw new Error(`region ${range} of ${m.key} is not held on ${m.from}`);
      // Always a fresh copy: a transfer between two devices of this thread still moves its bytes.
      const { wire, transferList } = packRegion(held, range);
      const piece: PieceMessage = {
        type: "piece",
        run: state().start.run,
        transfer: m.transfer,
        to: m.to,
        key: m.key,
        region: wire,
      };
      const peer = init.peers[m.thread];
      if (m.thread === init.thread || peer === undefined || peer === null) receive(piece);
      else peer.postMessage(piece, transferList);
      return;
    }
    case "run": {
      const run = state();
      const task = runTask(s, run, m.task);
      run.running.add(task);
      await task;
      run.running.delete(task);
      return;
    }
    case "fetch": {
      const range = rangeFromWire(m.range);
      const held = store(m.device).find(m.key, range);
      if (held === undefined) throw new Error(`region ${range} of ${m.key} is not held on ${m.device}`);
      const { wire, transferList } = packRegion(held, range);
      post({ type: "fetched", request: m.request, region: wire }, transferList);
      return;
    }
    case "end":
      await end(s);
      return;
    case "close": {
      const backend = s.backend.stats();
      await s.backend.dispose();
      post({ type: "closed", backend });
      return;
    }
  }
}

const ready: Promise<WorkerState | undefined> = setup().then(
  (s) => {
    post({ type: "ready" });
    return s;
  },
  (error: unknown) => {
    post({ type: "init-failed", error: errorToWire(error) });
    return undefined;
  },
);

/**
 * Handles a message once setup is done. Callbacks on one promise run in the order they were
 * added, so messages are handled in arrival order; a task awaiting its backend lets later
 * messages (transfers to send or store) proceed, which is safe: the coordinator sends a task
 * only when its inputs are here, and a transfer only when its source is stored.
 */
function whenReady(during: string, job: (s: WorkerState) => Promise<void> | void): void {
  void ready.then(async (s) => {
    if (s === undefined) return;
    try {
      await job(s);
    } catch (error: unknown) {
      post({ type: "fault", during, error: errorToWire(error) });
    }
  });
}

coordinator.on("message", (m: ToWorker) => whenReady(m.type, (s) => handle(s, m)));
for (const peer of init.peers) {
  peer?.on("message", (m: PieceMessage) => whenReady(`receiving transfer ${m.transfer}`, () => receive(m)));
}

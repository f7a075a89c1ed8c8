/**
 * The local executor's worker thread: stands for one or more devices, holds their data (one
 * `RegionStore` per device), runs the tasks the coordinator sends one at a time, and sends
 * transfers straight to the receiving thread over the port between them.
 */
import { parentPort, type TransferListItem, workerData } from "node:worker_threads";
import { decodeValidatedProgram } from "../../ir/decode-validated-program.js";
import { loadKernelDeclarationFile } from "../../kernels/declaration/load.js";
import { builtinRegistry } from "../../kernels/library/index.js";
import { extendRegistry } from "../../kernels/registry.js";
import type { KernelBackend } from "../backend/kernel-backend.js";
import { type PreparedOperation, prepareOperation, runCombine, runShard } from "./execute-task.js";
import { openBackend } from "./open-backend.js";
import type { FromWorker, PieceMessage, TaskOrder, ToWorker, WorkerInit } from "./protocol.js";
import { RegionStore } from "./region-store.js";
import { packRegion, rangeFromWire, regionFromWire } from "./region-wire.js";
import { errorToWire } from "./wire-error.js";

interface WorkerState {
  readonly operations: ReadonlyMap<string, PreparedOperation>;
  readonly backend: KernelBackend;
}

const init = workerData as WorkerInit;
const coordinator = parentPort!;
const stores = new Map<string, RegionStore>();

function post(message: FromWorker, transferList: readonly TransferListItem[] = []): void {
  coordinator.postMessage(message, transferList);
}

function store(device: string): RegionStore {
  let s = stores.get(device);
  if (s === undefined) {
    s = new RegionStore();
    stores.set(device, s);
  }
  return s;
}

async function setup(): Promise<WorkerState> {
  const registry = extendRegistry(builtinRegistry(), init.kernelFiles.map(loadKernelDeclarationFile));
  // The coordinator validated the program; re-validating in every thread would only cost start-up time.
  const program = decodeValidatedProgram(init.program);
  const operations = new Map(
    program.operations.map((op) => [op.id, prepareOperation(op, registry.get(op.kernel)!)]),
  );
  return { operations, backend: await openBackend(init.backend) };
}

function injectFault(task: string): void {
  if (init.fault === null || init.fault.task !== task) return;
  if (init.fault.kind === "exit") process.exit(1);
  throw new Error(`fault injected into task ${task} (testing hook)`);
}

async function run(s: WorkerState, order: TaskOrder): Promise<void> {
  const started = performance.now();
  try {
    injectFault(order.id);
    if (order.kind === "combine") runCombine(order, store(order.device));
    else await runShard(order, s.operations.get(order.op)!, s.backend, store(order.device));
  } catch (error: unknown) {
    post({ type: "failed", task: order.id, error: errorToWire(error) });
    return;
  }
  post({ type: "done", task: order.id, busyMs: performance.now() - started });
}

function receive(piece: PieceMessage): void {
  store(piece.to).put(piece.key, regionFromWire(piece.region));
  post({ type: "arrived", transfer: piece.transfer, bytes: piece.region.data.byteLength });
}

async function handle(s: WorkerState, m: ToWorker): Promise<void> {
  switch (m.type) {
    case "load":
      store(m.device).put(m.key, regionFromWire(m.region));
      return;
    case "send": {
      const range = rangeFromWire(m.range);
      const held = store(m.from).find(m.key, range);
      if (held === undefined) throw new Error(`region ${range} of ${m.key} is not held on ${m.from}`);
      // Always a fresh copy: a transfer between two devices of this thread still moves its bytes.
      const { wire, transferList } = packRegion(held, range);
      const piece: PieceMessage = { type: "piece", transfer: m.transfer, to: m.to, key: m.key, region: wire };
      const peer = init.peers[m.thread];
      if (m.thread === init.thread || peer === undefined || peer === null) receive(piece);
      else peer.postMessage(piece, transferList);
      return;
    }
    case "run":
      await run(s, m.task);
      return;
    case "fetch": {
      const range = rangeFromWire(m.range);
      const held = store(m.device).find(m.key, range);
      if (held === undefined) throw new Error(`region ${range} of ${m.key} is not held on ${m.device}`);
      const { wire, transferList } = packRegion(held, range);
      post({ type: "fetched", request: m.request, region: wire }, transferList);
      return;
    }
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

// A search worker thread: one engine, run epoch by epoch as the coordinator asks, sending back
// the plans that joined its front in each epoch (see parallel-search.ts).
import { parentPort, workerData } from "node:worker_threads";
import { isTesseraError } from "../../base/errors.js";
import { createEpochEngine } from "./epoch-engine.js";
import type { FromSearchWorker, SearchWorkerInit, ToSearchWorker } from "./search-worker-protocol.js";

const init = workerData as SearchWorkerInit;
const port = parentPort!;
const send = (m: FromSearchWorker) => port.postMessage(m);
const stopFlag = new Int32Array(init.stop);
const stopped = () => Atomics.load(stopFlag, 0) === 1;

try {
  const engine = createEpochEngine(init, stopped);
  port.on("message", (m: ToSearchWorker) => {
    if (m.type === "finish") {
      port.close();
      return;
    }
    try {
      const report = engine.runEpoch(m.limit, m.incoming, (evaluations, best) =>
        // For the coordinator's progress line.
        send({ type: "progress", evaluations, ...(best === undefined ? {} : { best }) }),
      );
      send({ type: "epoch-done", ...report });
    } catch (error: unknown) {
      fail(error);
    }
  });
  send({ type: "ready" });
} catch (error: unknown) {
  fail(error);
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  send(isTesseraError(error) ? { type: "failed", message, code: error.code } : { type: "failed", message });
}

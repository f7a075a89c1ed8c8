// A search worker thread: one engine, run epoch by epoch as the coordinator asks, sending back
// the plans that joined its front in each epoch (see parallel-search.ts).
import { parentPort, workerData } from "node:worker_threads";
import { isTesseraError } from "../../base/errors.js";
import { parseCluster } from "../../cluster/parse-cluster.js";
import { createSimulator } from "../../cost/simulator.js";
import { decodeValidatedProgram } from "../../ir/decode-validated-program.js";
import { makePlan } from "../../plan/make-plan.js";
import { fastestCost } from "../engine/objectives.js";
import { withChoices } from "../engine/plan-choice.js";
import { createSearchEngine } from "../engine/search-engine.js";
import { searchSpace } from "../engine/search-space.js";
import type { FromSearchWorker, SearchWorkerInit, ToSearchWorker } from "./search-worker-protocol.js";

const init = workerData as SearchWorkerInit;
const port = parentPort!;
const send = (m: FromSearchWorker) => port.postMessage(m);
const stopFlag = new Int32Array(init.stop);
const stopped = () => Atomics.load(stopFlag, 0) === 1;

try {
  const program = decodeValidatedProgram(init.program);
  const cluster = parseCluster(init.cluster);
  const base = createSimulator(makePlan(program, { devices: init.devices }), cluster, {
    pricing: init.pricing,
  });
  const engine = createSearchEngine(searchSpace(program, init.devices, init.pins), base, {
    seed: init.seed,
    capacity: init.capacity,
  });
  for (const s of init.starts) {
    if (engine.evaluations > 0 && ((init.deadline !== undefined && Date.now() >= init.deadline) || stopped()))
      break;
    engine.addStart(withChoices(base, s));
  }
  port.on("message", (m: ToSearchWorker) => {
    if (m.type === "finish") {
      port.close();
      return;
    }
    try {
      engine.absorb(m.incoming);
      engine.run(
        m.limit,
        () => {
          // For the coordinator's progress line.
          const best = fastestCost(engine.front().map((f) => f.cost));
          send({
            type: "progress",
            evaluations: engine.evaluations,
            ...(best === undefined ? {} : { best }),
          });
        },
        stopped,
      );
      send({
        type: "epoch-done",
        joined: engine.joinedThisEpoch(),
        evaluations: engine.evaluations,
        mutators: engine.choice.stats(),
      });
      // The starting plans joined in epoch 0, so the first report carries them too.
      engine.nextEpoch();
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

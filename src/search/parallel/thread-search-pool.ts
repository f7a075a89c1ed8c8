import { Worker } from "node:worker_threads";
import { isIssueCode } from "../../base/codes.js";
import { TesseraError } from "../../base/errors.js";
import { workerLaunch } from "../../base/worker-launch.js";
import type { SearchPool, SearchSession } from "./search-pool.js";
import type { FromSearchWorker, SearchWorkerInit, ToSearchWorker } from "./search-worker-protocol.js";

/** The default search pool: one worker thread of this process per search worker. */
export const threadSearchPool: SearchPool = {
  async open(setups, stop, onProgress): Promise<SearchSession> {
    const launch = workerLaunch(import.meta.url, "search-worker", "search/parallel/search-worker.js");
    const workers = setups.map((setup) => {
      const init: SearchWorkerInit = { ...setup, stop };
      return new Worker(launch.script, { eval: launch.eval, workerData: init });
    });
    const inboxes = workers.map(() => queue<FromSearchWorker>());
    let crash: Error | undefined;
    workers.forEach((w, i) => {
      w.on("message", (m: FromSearchWorker) => {
        if (m.type === "progress") onProgress(i, m.evaluations, m.best);
        else inboxes[i]!.push(m);
      });
      w.on("error", (e) => {
        crash = e;
        inboxes[i]!.push({ type: "failed", message: e.message });
      });
      w.on("exit", (code) => {
        if (code !== 0) inboxes[i]!.push({ type: "failed", message: `exited with code ${code}` });
      });
    });
    const expect = async <T extends FromSearchWorker["type"]>(i: number, type: T) => {
      const m = await inboxes[i]!.next();
      if (m.type === "failed") {
        throw m.code !== undefined && isIssueCode(m.code)
          ? new TesseraError(m.code, m.message, { worker: i })
          : new TesseraError("worker_crashed", `search worker ${i} failed: ${crash?.message ?? m.message}`, {
              worker: i,
              cause: m.message,
            });
      }
      if (m.type !== type)
        throw new Error(`search worker ${i} sent '${m.type}' where '${type}' was expected`);
      return m as Extract<FromSearchWorker, { type: T }>;
    };
    const close = async () => {
      for (const w of workers) w.postMessage({ type: "finish" } satisfies ToSearchWorker);
      await Promise.all(workers.map((w) => w.terminate()));
    };
    try {
      await Promise.all(workers.map((_, i) => expect(i, "ready")));
    } catch (error) {
      await close();
      throw error;
    }
    return {
      async epoch(i, limit, incoming) {
        workers[i]!.postMessage({ type: "epoch", limit, incoming } satisfies ToSearchWorker);
        const { joined, evaluations, mutators, startCosts } = await expect(i, "epoch-done");
        // The first epoch's report carries the starting plans' costs: the baselines take them.
        return { joined, evaluations, mutators, ...(startCosts === undefined ? {} : { startCosts }) };
      },
      close,
    };
  },
};

/** A single-consumer async queue. */
function queue<T>(): { push(item: T): void; next(): Promise<T> } {
  const items: T[] = [];
  const waiting: ((item: T) => void)[] = [];
  return {
    push(item) {
      const w = waiting.shift();
      if (w !== undefined) w(item);
      else items.push(item);
    },
    next() {
      const item = items.shift();
      if (item !== undefined) return Promise.resolve(item);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

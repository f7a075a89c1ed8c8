import type { DistributedExecutorOptions } from "../../../src/exec/distributed/index.js";
import { type RedisServer, startRedis } from "../../support/redis-server.js";
import { startWorkerProcess, type WorkerProcess } from "../../support/worker-processes.js";

/** A real Redis and real `tessera worker` processes for one test file. */
export interface TestCluster {
  readonly redis: RedisServer;
  readonly workers: WorkerProcess[];
  /** Starts one more worker process (a worker joining). */
  add(name: string, extra?: readonly string[]): Promise<WorkerProcess>;
  /** Kills every worker (kill -9) and stops Redis. */
  close(): Promise<void>;
}

/** Coordinator timings for tests: losses detected in about a second, nothing waits long. */
export const FAST: DistributedExecutorOptions = {
  lockDurationMs: 1500,
  stalledIntervalMs: 500,
  monitorMs: 200,
  noWorkersGraceMs: 3000,
  runTimeoutMs: 90_000,
  kernelTimeoutMs: 30_000,
  backoffMs: 50,
};

/** Starts Redis (with AOF when asked) and one worker process per name. */
export async function startCluster(
  names: readonly string[],
  options: { aof?: boolean } = {},
): Promise<TestCluster> {
  const redis = await startRedis(options);
  const workers: WorkerProcess[] = [];
  const cluster: TestCluster = {
    redis,
    workers,
    async add(name, extra = []) {
      const w = await startWorkerProcess(redis.url, name, ["--heartbeat-ms", "300", ...extra]);
      workers.push(w);
      return w;
    },
    async close() {
      await Promise.all(workers.map((w) => w.kill("SIGKILL")));
      await redis.stop(true);
    },
  };
  try {
    await Promise.all(names.map((n) => cluster.add(n)));
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

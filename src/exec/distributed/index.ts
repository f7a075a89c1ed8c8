/** The distributed executor: a plan's shards on worker processes through Redis and BullMQ. */
export { assignDevices } from "./device-assignment.js";
export {
  createDistributedExecutor,
  type DistributedExecutor,
  type DistributedExecutorOptions,
  type DistributedRunOptions,
  runDistributed,
} from "./distributed-executor.js";
export { createDistributedSearchPool, type DistributedSearchPool } from "./distributed-search-pool.js";
export type {
  DirectTraffic,
  DistributedRunResult,
  DistributedRunStats,
  Recovery,
  RedisTraffic,
  WorkerReport,
} from "./distributed-stats.js";
export {
  type DistributedWorker,
  type DistributedWorkerOptions,
  startDistributedWorker,
} from "./distributed-worker.js";
export type { DistributedFault, JobData, JobResult } from "./job.js";
export { DEFAULT_REDIS_URL, parseRedisUrl, type RedisTarget, redactRedisUrl } from "./redis-url.js";
export type { SearchEpoch, SearchJobData, SearchJobResult } from "./search-job.js";
export type { WorkerInfo } from "./worker-registry.js";

/** The local executor: a plan's shards on worker threads, moving exactly the derived regions. */
export {
  createLocalExecutor,
  type LocalExecutor,
  type LocalExecutorOptions,
  type LocalExecutorStats,
} from "./local-executor.js";
export type { LocalExecutorRunOptions } from "./prepare-run.js";
export type { FaultInjection } from "./protocol.js";
export { type LocalRunOptions, runLocal } from "./run-local.js";
export type {
  LocalRunPhases,
  LocalRunResult,
  LocalRunStats,
  RunTrace,
  ThreadReport,
  TracedTask,
  TracedTransfer,
} from "./run-result.js";
export { liveLocalWorkers } from "./worker-pool.js";

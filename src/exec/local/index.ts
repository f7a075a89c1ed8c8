/** The local executor: a plan's shards on worker threads, moving exactly the derived regions. */
export { liveLocalWorkers, type ThreadReport } from "./local-execution.js";
export type { FaultInjection } from "./protocol.js";
export { type LocalRunOptions, type LocalRunResult, type LocalRunStats, runLocal } from "./run-local.js";

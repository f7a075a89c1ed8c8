import { TesseraError } from "../../base/errors.js";
import type { Task } from "../../plan/task-graph.js";
import type { WireError } from "../local/protocol.js";
import { describeTask, taskFailed } from "../local/run-errors.js";
import { tesseraErrorFromWire } from "../local/wire-error.js";

/** A failed job's reason as the worker wrote it (an error as JSON), or the raw text from BullMQ. */
export function wireFromReason(reason: string): WireError {
  try {
    const v = JSON.parse(reason) as Partial<WireError>;
    if (typeof v.message === "string") {
      return {
        message: v.message,
        code: typeof v.code === "string" ? v.code : null,
        context: v.context ?? {},
        issues: Array.isArray(v.issues) ? v.issues : [],
      };
    }
  } catch {
    // Not ours: BullMQ's own reasons ("job stalled more than allowable limit") are plain text.
  }
  return { message: reason, code: null, context: {}, issues: [] };
}

/**
 * The run's error for a job of `task` that failed for good: the worker's own typed error for
 * what is not the task's fault (`invalid_job`, `kernel_timeout`, `redis_unavailable`,
 * `unknown_kernel`, `coordinator_unreachable`), `task_failed` naming the shard and the cause otherwise.
 */
export function jobFailed(task: Task, kernel: string, wire: WireError, worker: string): TesseraError {
  const own = tesseraErrorFromWire(wire);
  const passThrough = [
    "invalid_job",
    "kernel_timeout",
    "redis_unavailable",
    "unknown_kernel",
    "coordinator_unreachable",
  ];
  if (own !== undefined && passThrough.includes(own.code)) {
    return new TesseraError(own.code, `${describeTask(task, kernel)} on worker ${worker}: ${own.summary}`, {
      ...own.context,
      task: task.id,
      worker,
    });
  }
  return taskFailed(task, kernel, wire);
}

/** `invalid_job`: a job in a run's queue that is not one of the run's (injected, or left by another program). */
export function foreignJob(run: string, job: string, worker: string, reason: string): TesseraError {
  return new TesseraError(
    "invalid_job",
    `a job that is not one of run ${run}'s (id ${job}) was found in worker ${worker}'s queue: ${wireFromReason(reason).message}`,
    { run, job, worker },
  );
}

/** `no_workers`: nobody to run on, after waiting `graceMs`. */
export function noWorkers(redis: string, graceMs: number, lost: readonly string[]): TesseraError {
  const why =
    lost.length === 0
      ? `no worker registered at ${redis}`
      : `every worker of the run was lost (${lost.join(", ")}) and none registered at ${redis}`;
  return new TesseraError(
    "no_workers",
    `${why} within ${graceMs} ms; start one with \`tessera worker --redis URL\``,
    {
      redis,
      graceMs,
      lost: lost.slice(),
    },
  );
}

/** `run_timeout`: the run did not end within `timeoutMs`. */
export function runTimedOut(run: string, timeoutMs: number, done: number, total: number): TesseraError {
  return new TesseraError(
    "run_timeout",
    `distributed run ${run} did not finish within ${timeoutMs} ms (${done} of ${total} tasks done)`,
    { run, timeoutMs, done, total },
  );
}

/** `kernel_timeout` seen by the coordinator: a task active on a worker for longer than the kernel timeout. */
export function kernelTimedOut(task: Task, kernel: string, worker: string, timeoutMs: number): TesseraError {
  return new TesseraError(
    "kernel_timeout",
    `${describeTask(task, kernel)} has run on worker ${worker} for more than ${timeoutMs} ms`,
    { task: task.id, worker, timeoutMs },
  );
}

/** `redis_unavailable`: the run's state vanished from Redis mid-run. */
export function stateLost(run: string, redis: string, what: string): TesseraError {
  return new TesseraError(
    "redis_unavailable",
    `Redis at ${redis} lost run ${run}'s state (${what}): it restarted without persistence, or the run's keys expired`,
    { run, redis, what },
  );
}

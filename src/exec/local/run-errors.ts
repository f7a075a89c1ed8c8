import { TesseraError } from "../../base/errors.js";
import type { Task } from "../../plan/task-graph.js";
import type { WireError } from "./protocol.js";

/** How a task is named in messages: `shard fc1#3 (matmul)` or `combine fc2#combine#0 (sum)`. */
export function describeTask(task: Task, kernel: string): string {
  return task.kind === "shard" ? `shard ${task.id} (${kernel})` : `combine ${task.id} (${task.monoid})`;
}

/** `task_failed`: the task threw in its worker; names the task, its operation and device. */
export function taskFailed(task: Task, kernel: string, cause: WireError): TesseraError {
  return new TesseraError(
    "task_failed",
    `${describeTask(task, kernel)} on device ${task.device} failed: ${cause.message}`,
    {
      task: task.id,
      op: task.op,
      kernel,
      device: task.device,
      cause: cause.message,
      ...(cause.code === null ? {} : { causeCode: cause.code }),
    },
  );
}

/**
 * `worker_crashed`: a worker thread died (exit, uncaught error) or failed outside a task; names
 * the thread, its devices in the run (when it was in one) and what it was doing
 * (`running shard fc1#3 (matmul)`, `starting`, ...).
 */
export function workerCrashed(
  thread: number,
  devices: readonly string[],
  doing: string,
  cause: string,
  task: string | null,
): TesseraError {
  return new TesseraError(
    "worker_crashed",
    `worker thread ${thread}${devices.length === 0 ? "" : ` (devices ${devices.join(", ")})`} crashed while ${doing}: ${cause}`,
    { thread, devices: devices.slice(), task, cause },
  );
}

/**
 * `worker_crashed` for a run on an executor whose pool a crash already broke: it names the
 * original crash and says what to do (an executor never replaces a thread).
 */
export function executorBroken(crash: TesseraError): TesseraError {
  return new TesseraError(
    "worker_crashed",
    `this local executor is unusable since a worker thread crashed in an earlier run (${crash.summary}); create a new executor`,
    { ...crash.context, earlier: true },
  );
}

/** `executor_closed`: a run asked of a local executor after `close`. */
export function executorClosed(): TesseraError {
  return new TesseraError(
    "executor_closed",
    "this local executor is closed; create a new one to run more plans",
    {},
  );
}

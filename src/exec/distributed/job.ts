import type { DType } from "../../base/dtype.js";
import type { KernelRunCounts } from "../backend/kernel-backend.js";
import type { TaskOrder, WireError } from "../local/protocol.js";
import type { WireRange } from "../local/region-wire.js";
import { checkQueuedJob } from "./queued-job-check.js";

/** A region a job reads from Redis into its device's store before its task runs. */
export interface JobGet {
  /** The source key (`sourceKey`) the region is stored under on the device. */
  readonly key: string;
  /** A program-input load (`RunKeys.input(n)`) or a transfer (`RunKeys.transfer(n)`). */
  readonly from: "input" | "transfer";
  readonly n: number;
  readonly dtype: DType;
  readonly range: WireRange;
}

/** A region of the task's outputs a job writes to Redis after its task ran. */
export interface JobPut {
  readonly key: string;
  /** A transfer to another device (`RunKeys.transfer(n)`) or a final writer of a program output (`RunKeys.output(n)`). */
  readonly to: "output" | "transfer";
  readonly n: number;
  readonly range: WireRange;
}

/**
 * A testing hook: make the worker running `task` fail on purpose, by throwing in place of the
 * kernel (`throw`, every attempt: the run fails with `task_failed`) or by never returning
 * (`hang`: the run fails with `kernel_timeout`). Not for production use.
 */
export interface DistributedFault {
  readonly task: string;
  readonly kind: "throw" | "hang";
}

/** One task of a job: the task as a local worker thread receives it, what it reads first and what it writes after. */
export interface JobStep {
  readonly order: TaskOrder;
  readonly gets: readonly JobGet[];
  readonly puts: readonly JobPut[];
}

/**
 * The data of one BullMQ job (`schemas/distributed-job.schema.json`): a chain of consecutive
 * tasks of one device, run in order by one worker (`chainOf` says which tasks chain).
 */
export interface JobData {
  readonly version: 2;
  readonly kind: "tessera-tasks";
  readonly run: string;
  readonly steps: readonly JobStep[];
  readonly fault: DistributedFault | null;
}

/** What a worker returns for a finished job (BullMQ stores it as the job's return value). */
export interface JobResult {
  /** The tasks of the job, in the order they ran. */
  readonly tasks: readonly string[];
  readonly worker: string;
  /** Kernel (or combine) time of all its tasks, inputs already in memory. */
  readonly busyMs: number;
  /** Transfers this job read from Redis (not served by the worker's cache), and their bytes. */
  readonly transfersRead: readonly number[];
  readonly bytesRead: number;
  /** Program-input bytes its worker took from the inputs it kept (`keepInputs`) instead of reading them. */
  readonly bytesKept: number;
  readonly bytesWritten: number;
  /** Kernel runs by kernel id and how they ran (`native` / `reference`), as in `BackendStats`. */
  readonly kernels: Readonly<Record<string, KernelRunCounts>>;
}

/**
 * A failed job's reason as a worker writes it: the error as plain data plus the task of the
 * chain it failed in (null when it failed before any task ran, e.g. an invalid job).
 */
export interface JobFailure extends WireError {
  readonly task: string | null;
}

/**
 * Checks data taken from a queue before anything uses it: a job another program (or another
 * version of Tessera) put there, or one corrupted in Redis, gets `invalid_job` naming the first
 * problems, never a crash. `run` is the run whose queue it came from: a job of another run is
 * foreign too.
 */
export function checkJobData(data: unknown, run: string, jobId: string): JobData {
  return checkQueuedJob<JobData>("distributed-job", data, jobId, { field: "run", id: run });
}

import { TesseraError } from "../../base/errors.js";
import { checkSchema } from "../../base/schema-check.js";

/** Which run or search a queue belongs to: the field of its jobs that names it, and its id. */
export interface QueueOwner {
  readonly field: "run" | "search";
  readonly id: string;
}

/**
 * Checks data taken from a queue before anything uses it: a job another program (or another
 * version of Tessera) put there, or one corrupted in Redis, gets `invalid_job` naming the first
 * problems, never a crash; so does a job naming another run or search than the queue's owner.
 */
export function checkQueuedJob<T>(schema: string, data: unknown, jobId: string, owner: QueueOwner): T {
  const { field, id } = owner;
  const issues = checkSchema(schema, data);
  if (issues.length > 0) {
    const first = issues
      .slice(0, 3)
      .map((i) => `${i.path || "/"}: ${i.summary}`)
      .join("; ");
    throw new TesseraError("invalid_job", `job ${jobId} of ${field} ${id} is malformed: ${first}`, {
      job: jobId,
      [field]: id,
      issues: issues.length,
    });
  }
  // The schema makes the owner field a string.
  const found = (data as Record<string, unknown>)[field] as string;
  if (found !== id) {
    throw new TesseraError(
      "invalid_job",
      `job ${jobId} in ${field} ${id}'s queue belongs to ${field} '${found}'`,
      {
        job: jobId,
        [field]: id,
        found,
      },
    );
  }
  return data as T;
}

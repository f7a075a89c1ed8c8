import { TesseraError } from "../../base/errors.js";
import { checkSchema } from "../../base/schema-check.js";
import type { RunLimit, SharedMember } from "../../search/engine/search-engine.js";
import type { EpochReport } from "../../search/parallel/search-worker-protocol.js";

/** One epoch of a search worker: how far it runs and what it takes in first. */
export interface SearchEpoch {
  readonly limit: RunLimit;
  readonly incoming: readonly SharedMember[];
}

/** The data of one BullMQ job of a distributed search: `schemas/distributed-search-job.schema.json`. */
export interface SearchJobData {
  readonly version: 1;
  readonly kind: "tessera-search-epoch";
  readonly search: string;
  /** Which search worker (its setup and random stream), from 0. */
  readonly worker: number;
  /** Every epoch of that worker so far, the one to run last. */
  readonly epochs: readonly SearchEpoch[];
}

/** What a worker process returns for a search epoch (BullMQ stores it as the job's return value). */
export type SearchJobResult = EpochReport;

/**
 * Checks data taken from a search's queue before anything uses it (`invalid_job` naming the
 * first problems for a malformed job, or one of another search).
 */
export function checkSearchJobData(data: unknown, search: string, jobId: string): SearchJobData {
  const issues = checkSchema("distributed-search-job", data);
  if (issues.length > 0) {
    const first = issues
      .slice(0, 3)
      .map((i) => `${i.path || "/"}: ${i.summary}`)
      .join("; ");
    throw new TesseraError("invalid_job", `job ${jobId} of search ${search} is malformed: ${first}`, {
      job: jobId,
      search,
      issues: issues.length,
    });
  }
  const job = data as SearchJobData;
  if (job.search !== search) {
    throw new TesseraError(
      "invalid_job",
      `job ${jobId} in search ${search}'s queue belongs to search '${job.search}'`,
      { job: jobId, search, found: job.search },
    );
  }
  return job;
}

import type { RunLimit, SharedMember } from "../../search/engine/search-engine.js";
import type { EpochReport } from "../../search/parallel/search-worker-protocol.js";
import { checkQueuedJob } from "./queued-job-check.js";

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
  return checkQueuedJob<SearchJobData>("distributed-search-job", data, jobId, {
    field: "search",
    id: search,
  });
}

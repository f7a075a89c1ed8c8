import type { Redis } from "ioredis";
import type { JsonValue } from "../../base/json.js";
import type { RunKeys } from "./run-keys.js";

/** What a run tells its workers (`RunKeys.meta`, field `run`): the same for the whole run. */
export interface RunMeta {
  /** The program, validated by the coordinator: workers decode it without re-validating. */
  readonly program: JsonValue;
  /** BullMQ job lock: a job whose worker stops renewing it for this long is stalled. */
  readonly lockDurationMs: number;
  /** A task running longer than this fails the run with `kernel_timeout`. */
  readonly kernelTimeoutMs: number;
  /** The chunk size of region values (see `DEFAULT_CHUNK_BYTES`). */
  readonly chunkBytes: number;
  /** Every key of the run expires this long after it was written. */
  readonly ttlMs: number;
}

/** Writes the run's meta and its worker list, expiring with the run's other keys. */
export async function writeRunMeta(
  redis: Redis,
  keys: RunKeys,
  meta: RunMeta,
  workers: readonly string[],
): Promise<void> {
  await redis
    .multi()
    .hset(keys.meta, "run", JSON.stringify(meta), "workers", JSON.stringify(workers))
    .pexpire(keys.meta, meta.ttlMs)
    .exec();
}

/** Replaces the run's list of workers taking part (they join the run when they see their name). */
export async function writeRunWorkers(
  redis: Redis,
  keys: RunKeys,
  workers: readonly string[],
): Promise<void> {
  await redis.hset(keys.meta, "workers", JSON.stringify(workers));
}

/** The run's meta and workers, or undefined when the run is gone (ended, expired, Redis restarted empty). */
export async function readRunMeta(
  redis: Redis,
  keys: RunKeys,
): Promise<{ meta: RunMeta; workers: string[] } | undefined> {
  const [run, workers] = await redis.hmget(keys.meta, "run", "workers");
  if (run === null || run === undefined || workers === null || workers === undefined) return undefined;
  try {
    return { meta: JSON.parse(run) as RunMeta, workers: JSON.parse(workers) as string[] };
  } catch {
    return undefined;
  }
}

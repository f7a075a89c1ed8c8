import type { ChainableCommander, Redis } from "ioredis";
import type { JsonValue } from "../../base/json.js";
import type { DataPlane } from "./region-client.js";
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
  /** Where workers read program inputs and deliver program outputs; null: through Redis. */
  readonly data: DataPlane | null;
  /** Which program inputs workers may keep for, and take from, later runs; null: the executor never kept any. */
  readonly keep: RunKeep | null;
}

/**
 * How a run's program inputs relate to what workers keep for its executor (`keepInputs`): a
 * worker joining the run drops every region it kept for `executor` that is not under `keys`,
 * takes load `n` from its cache under `keys[n]` when it has it, and otherwise reads it as usual
 * and keeps it under that key. `keys` null: the run keeps nothing (every kept region of the
 * executor is dropped).
 */
export interface RunKeep {
  /** The coordinator's executor id (random: another executor's keys never match). */
  readonly executor: string;
  /** The executor's keep generation: a run without `keepInputs` ends one, so no later run finds its regions. */
  readonly generation: number;
  /** The cache key of each input load, by load number (`RunKeys.input(n)`, `DataPlane.loads`). */
  readonly keys: readonly string[] | null;
}

/**
 * The workers taking part in a run (`RunKeys.meta`, field `workers`): each name with its
 * incarnation, the number of times it was (re-)admitted after being dropped. A worker consumes
 * the queue `RunKeys.queue(name, incarnation)` with a fresh state; when its incarnation changes
 * or its name disappears, it lets go of everything it held for the run.
 */
export type RunWorkers = Readonly<Record<string, number>>;

/** Writes the run's meta and its workers, expiring with the run's other keys. */
export async function writeRunMeta(
  redis: Redis,
  keys: RunKeys,
  meta: RunMeta,
  workers: RunWorkers,
): Promise<void> {
  await addRunMeta(redis.multi(), keys, meta, workers).exec();
}

/** Adds the writes of `writeRunMeta` to `multi` (a run announced in the same round trip). */
export function addRunMeta(
  multi: ChainableCommander,
  keys: RunKeys,
  meta: RunMeta,
  workers: RunWorkers,
): ChainableCommander {
  return multi
    .hset(keys.meta, "run", JSON.stringify(meta), "workers", JSON.stringify(workers))
    .pexpire(keys.meta, meta.ttlMs);
}

/** Replaces the run's workers (they join the run when they see their name, and leave it when it goes). */
export async function writeRunWorkers(redis: Redis, keys: RunKeys, workers: RunWorkers): Promise<void> {
  await redis.hset(keys.meta, "workers", JSON.stringify(workers));
}

function parseWorkers(text: string | null | undefined): RunWorkers | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    const entries = Object.entries(v as Record<string, unknown>);
    if (!entries.every(([, n]) => Number.isSafeInteger(n) && (n as number) >= 0)) return undefined;
    return Object.fromEntries(entries) as RunWorkers;
  } catch {
    return undefined;
  }
}

/** The run's workers, or undefined when the run is gone (ended, expired, Redis restarted empty). */
export async function readRunWorkers(redis: Redis, keys: RunKeys): Promise<RunWorkers | undefined> {
  return parseWorkers(await redis.hget(keys.meta, "workers"));
}

/** The run's meta and workers, or undefined when the run is gone (ended, expired, Redis restarted empty). */
export async function readRunMeta(
  redis: Redis,
  keys: RunKeys,
): Promise<{ meta: RunMeta; workers: RunWorkers } | undefined> {
  const [run, text] = await redis.hmget(keys.meta, "run", "workers");
  const workers = parseWorkers(text);
  if (run === null || run === undefined || workers === undefined) return undefined;
  try {
    return { meta: JSON.parse(run) as RunMeta, workers };
  } catch {
    return undefined;
  }
}

import type { Redis } from "ioredis";
import type { BackendName } from "../backend/kernel-backend.js";
import { workerKey } from "./run-keys.js";

/** What a worker registers about itself (`<prefix>:worker:<name>`, JSON). */
export interface WorkerInfo {
  readonly name: string;
  readonly threads: number;
  readonly backend: BackendName;
  readonly host: string;
  readonly pid: number;
  /** When it started and when it last renewed its registration (ms since the epoch). */
  readonly startedAt: number;
  readonly heartbeatAt: number;
}

/** A registration lives this many heartbeats unless renewed: a worker killed with -9 disappears after it. */
export const HEARTBEAT_LIVES = 3;

/** Worker names: what fits in a BullMQ queue name and a Redis key without quoting. */
export const WORKER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Registers `info` unless a live worker holds the name; true when registered. */
export async function registerWorker(
  redis: Redis,
  prefix: string,
  info: WorkerInfo,
  heartbeatMs: number,
): Promise<boolean> {
  const ok = await redis.set(
    workerKey(prefix, info.name),
    JSON.stringify(info),
    "PX",
    heartbeatMs * HEARTBEAT_LIVES,
    "NX",
  );
  return ok === "OK";
}

/** Renews the registration of `info` (re-creating it if Redis lost it, e.g. after a restart). */
export async function renewWorker(
  redis: Redis,
  prefix: string,
  info: WorkerInfo,
  heartbeatMs: number,
): Promise<void> {
  await redis.set(
    workerKey(prefix, info.name),
    JSON.stringify({ ...info, heartbeatAt: Date.now() }),
    "PX",
    heartbeatMs * HEARTBEAT_LIVES,
  );
}

/** Removes the registration of worker `name`. */
export async function deregisterWorker(redis: Redis, prefix: string, name: string): Promise<void> {
  await redis.del(workerKey(prefix, name));
}

function parseInfo(text: string | null): WorkerInfo | undefined {
  if (text === null) return undefined;
  try {
    const v = JSON.parse(text) as Partial<WorkerInfo>;
    if (typeof v.name !== "string" || !WORKER_NAME.test(v.name)) return undefined;
    if (typeof v.threads !== "number" || !Number.isSafeInteger(v.threads) || v.threads < 1) return undefined;
    if (v.backend !== "reference" && v.backend !== "onnx") return undefined;
    return v as WorkerInfo;
  } catch {
    return undefined;
  }
}

/** The workers registered under `prefix` now, sorted by name (malformed registrations are ignored). */
export async function liveWorkers(redis: Redis, prefix: string): Promise<WorkerInfo[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", workerKey(prefix, "*"), "COUNT", 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  return values
    .map(parseInfo)
    .filter((w): w is WorkerInfo => w !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** True while worker `name` is registered. */
export async function isWorkerLive(redis: Redis, prefix: string, name: string): Promise<boolean> {
  return (await redis.exists(workerKey(prefix, name))) === 1;
}

import { Queue, QueueEvents, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { connectionOptions, type RedisTarget } from "./redis-url.js";

/** A coordinator's handle on one worker's job queue: the queue, its events, and its stalled-job checker. */
export interface WatchedQueue<Data, Result> {
  readonly queue: Queue<Data, Result>;
  readonly events: QueueEvents;
  readonly checker: Worker<Data, Result>;
}

/** How the coordinator watches a queue for stalled jobs. */
export interface WatchSettings {
  readonly target: RedisTarget;
  readonly prefix: string;
  readonly stalledIntervalMs: number;
  readonly lockDurationMs: number;
}

/**
 * Opens queue `name` with its events (from the start of the stream) and a processor-less worker
 * that runs BullMQ's stalled-job check: that check normally runs in a queue's own workers, but
 * here the one worker of the queue may be the one that died, so the coordinator runs it.
 * Connection errors are swallowed on all three (they surface as failed commands and the
 * coordinator's own checks; unhandled they would crash the process). With `shared` (a client
 * kept for many runs), the queue and the checker use it instead of connections of their own:
 * no connect and no loading of BullMQ's scripts per run; only the events (a blocking read) and
 * the checker's blocking connection are new.
 */
export function watchedQueue<Data, Result>(
  name: string,
  settings: WatchSettings,
  shared?: Redis,
): WatchedQueue<Data, Result> {
  const connection = connectionOptions(settings.target);
  const { prefix } = settings;
  // On the kept connection BullMQ would ask Redis its version (INFO) again for every queue, a
  // round trip before the first job of each run; the events' own connection still checks it.
  const skipVersionCheck = shared !== undefined;
  const queue = new Queue<Data, Result>(name, { connection: shared ?? connection, prefix, skipVersionCheck });
  const events = new QueueEvents(name, { connection, prefix, lastEventId: "0-0" });
  const checker = new Worker<Data, Result>(name, null, {
    connection: shared ?? connection,
    prefix,
    skipVersionCheck,
    autorun: false,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: 1,
    lockDuration: settings.lockDurationMs,
  });
  queue.on("error", () => {});
  events.on("error", () => {});
  checker.on("error", () => {});
  return { queue, events, checker };
}

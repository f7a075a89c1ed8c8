// A worker takes part in a run exactly as the run's meta says: once per admission, with a
// fresh state each time, however slowly Redis answers (a loaded machine, a Redis restarting).
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DistributedWorker, startDistributedWorker } from "../../../src/exec/distributed/index.js";
import { RunKeys, runsKey } from "../../../src/exec/distributed/run-keys.js";
import { type RunWorkers, writeRunMeta, writeRunWorkers } from "../../../src/exec/distributed/run-meta.js";
import { programToJson } from "../../../src/ir/index.js";
import { type RedisServer, startRedis } from "../../support/redis-server.js";
import { exampleProgram } from "../local/example-programs.js";

let redis: RedisServer;
let client: Redis;
let worker: DistributedWorker;
const lines: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean): Promise<void> {
  const limit = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > limit)
      throw new Error(`${what} did not happen within 10 s; the worker said:\n${lines.join("\n")}`);
    await sleep(20);
  }
}

const count = (line: string) => lines.filter((l) => l === line).length;

/** How many BullMQ workers consume queue `name` now. */
async function consumers(name: string): Promise<number> {
  const queue = new Queue(name, { connection: { port: redis.port }, prefix: "tessera" });
  try {
    return await queue.getWorkersCount();
  } finally {
    await queue.close();
  }
}

/** Writes run `id`'s meta naming `workers`; the run is announced in `tessera:runs` by the caller. */
async function createRun(id: string, workers: RunWorkers): Promise<RunKeys> {
  const keys = new RunKeys("tessera", id);
  const meta = {
    program: programToJson(exampleProgram("mlp")),
    lockDurationMs: 1500,
    kernelTimeoutMs: 5000,
    chunkBytes: 1 << 20,
    ttlMs: 60_000,
    data: null,
    keep: null,
  };
  await writeRunMeta(client, keys, meta, workers);
  return keys;
}

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  // Looking for runs every 5 ms: whenever Redis is slower than that, looks would overlap.
  worker = await startDistributedWorker({
    redis: redis.url,
    name: "m1",
    pollMs: 5,
    log: (l) => lines.push(l),
  });
}, 60_000);

afterAll(async () => {
  await worker?.close();
  client?.disconnect();
  await redis?.stop(true);
});

describe("a distributed worker's membership of runs", () => {
  it("joins a run once, even when Redis stalls while many looks for runs are pending", async () => {
    await createRun("slow0001", { m1: 0 });
    // Announcing the run and pausing every client in one transaction: every look started during
    // the pause sees the run at the same moment once Redis answers again.
    await client.multi().sadd(runsKey("tessera"), "slow0001").call("CLIENT", "PAUSE", "400", "ALL").exec();
    await until("joining the run", () => count("joined run slow0001") > 0);
    await sleep(300);
    expect(count("joined run slow0001")).toBe(1);
    expect(await consumers(new RunKeys("tessera", "slow0001").queue("m1"))).toBe(1);
  });

  it("lets go of a run that drops it, and joins again with a fresh state when admitted again", async () => {
    const keys = await createRun("again001", { m1: 0 });
    await client.sadd(runsKey("tessera"), "again001");
    await until("joining the run", () => count("joined run again001") === 1);
    await writeRunWorkers(client, keys, {});
    await until("leaving the run", () => count("left run again001") === 1);
    await writeRunWorkers(client, keys, { m1: 1 });
    await until("joining again", () => count("joined run again001 again (1)") === 1);
    // It consumes the new incarnation's queue, and the old one no more.
    expect(await consumers(keys.queue("m1", 1))).toBe(1);
    expect(await consumers(keys.queue("m1", 0))).toBe(0);
    await client.srem(runsKey("tessera"), "again001");
    await until("leaving the ended run", () => count("run again001 ended") === 1);
  });
});

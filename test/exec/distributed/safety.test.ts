import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distributedSettings } from "../../../src/exec/distributed/distributed-executor.js";
import {
  assignDevices,
  createDistributedExecutor,
  parseRedisUrl,
  redactRedisUrl,
  runDistributed,
  startDistributedWorker,
} from "../../../src/exec/distributed/index.js";
import { randomInputs } from "../../../src/exec/reference/index.js";
import { type RedisServer, startRedis } from "../../support/redis-server.js";
import { runCli } from "../../support/run-cli.js";
import { exampleProgram, megatronMlpPlan } from "../local/example-programs.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

async function rejectsWith(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error("expected a rejection");
}

describe("Redis URLs", () => {
  it.each([
    ["redis://127.0.0.1:6379", true],
    ["redis://localhost", true],
    ["redis://[::1]:7000/3", true],
    ["redis://:pw@10.0.0.5:6380", false],
    ["rediss://cache.example.com", false],
  ])("accepts %s (loopback: %s)", (url, loopback) => {
    expect(parseRedisUrl(url).loopback).toBe(loopback);
  });

  it.each([
    ["http://127.0.0.1", "invalid_redis_url"],
    ["not a url", "invalid_redis_url"],
    ["redis://127.0.0.1/abc", "invalid_redis_url"],
    ["redis://10.0.0.5:6379", "insecure_redis"],
    ["redis://user@cache.example.com", "insecure_redis"],
  ])("refuses %s with %s", (url, code) => {
    expect(codeOf(() => parseRedisUrl(url))).toBe(code);
  });

  it("accepts a non-loopback Redis without password or TLS only with insecure", () => {
    expect(parseRedisUrl("redis://10.0.0.5", true).host).toBe("10.0.0.5");
  });

  it("never shows a password, in the parsed target or in an error", () => {
    expect(parseRedisUrl("redis://:s3cret@10.0.0.5:6380/2").display).toBe("redis://:***@10.0.0.5:6380/2");
    expect(redactRedisUrl("redis://u:s3cret@h")).not.toContain("s3cret");
    let message = "";
    try {
      parseRedisUrl("redis://:s3cret@127.0.0.1/xyz");
    } catch (e) {
      message = (e as Error).message + JSON.stringify((e as { context: unknown }).context);
    }
    expect(message).toContain("***");
    expect(message).not.toContain("s3cret");
  });

  it("the worker command refuses an insecure Redis with a clear error and exit code 2", async () => {
    const run = await runCli(["worker", "--redis", "redis://10.9.8.7:6379"]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("insecure_redis");
  });

  it.each(["-1", "1.5", "lots", "2000000"])(
    "the worker command refuses --input-cache-mb %s with exit code 2",
    async (mb) => {
      const run = await runCli(["worker", "--input-cache-mb", mb]);
      expect(run.code).toBe(2);
      expect(run.err).toContain("--input-cache-mb");
    },
  );
});

describe("device assignment", () => {
  const w = (name: string, threads = 1) => ({
    name,
    threads,
    backend: "reference" as const,
    host: "h",
    pid: 1,
    startedAt: 0,
    heartbeatAt: 0,
  });
  it("deals devices round-robin over workers sorted by name, weighted by threads", () => {
    expect([...assignDevices(["d0", "d1", "d2", "d3"], [w("a"), w("b")])]).toEqual([
      ["d0", "a"],
      ["d1", "b"],
      ["d2", "a"],
      ["d3", "b"],
    ]);
    expect([...assignDevices(["d0", "d1", "d2"], [w("a", 2), w("b")]).values()]).toEqual(["a", "a", "b"]);
  });
});

describe("the distributed executor's errors", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  }, 60_000);
  afterAll(async () => {
    await redis?.stop(true);
  });

  it("fails with no_workers after the grace period when no worker is registered", async () => {
    const program = exampleProgram("mlp");
    const e = await rejectsWith(
      runDistributed(megatronMlpPlan(program), randomInputs(program, 1), {
        redis: redis.url,
        noWorkersGraceMs: 300,
      }),
    );
    expect(e.code).toBe("no_workers");
  });

  it("fails with redis_unavailable when Redis does not answer", async () => {
    const e = await rejectsWith(createDistributedExecutor({ redis: "redis://127.0.0.1:1" }));
    expect(e.code).toBe("redis_unavailable");
  });

  it("refuses malformed options with invalid_option", async () => {
    expect((await rejectsWith(createDistributedExecutor({ redis: redis.url, runTimeoutMs: -1 }))).code).toBe(
      "invalid_option",
    );
    expect((await rejectsWith(createDistributedExecutor({ redis: redis.url, attempts: 0 }))).code).toBe(
      "invalid_option",
    );
    expect((await rejectsWith(createDistributedExecutor({ redis: redis.url, prefix: "a:b" }))).code).toBe(
      "invalid_option",
    );
    expect((await rejectsWith(startDistributedWorker({ redis: redis.url, name: "bad name" }))).code).toBe(
      "invalid_option",
    );
    for (const inputCacheBytes of [-1, 1.5, Number.NaN]) {
      expect((await rejectsWith(startDistributedWorker({ redis: redis.url, inputCacheBytes }))).code).toBe(
        "invalid_option",
      );
    }
    const plane = "carrier-pigeon" as "redis";
    expect(codeOf(() => distributedSettings({ redis: redis.url, dataPlane: plane }))).toBe("invalid_option");
    for (const maxChain of [0, 1.5, 100_001]) {
      expect(codeOf(() => distributedSettings({ redis: redis.url, maxChain }))).toBe("invalid_option");
    }
    expect(distributedSettings({ redis: redis.url }).maxChain).toBe(64);
    const sharedMemory = "yes" as unknown as boolean;
    expect(codeOf(() => distributedSettings({ redis: redis.url, sharedMemory }))).toBe("invalid_option");
    expect(distributedSettings({ redis: redis.url }).sharedMemory).toBe(true);
  });

  it("keeps a TLS Redis's data on TLS: inputs and outputs go through Redis, not the direct data plane", () => {
    expect(distributedSettings({ redis: "rediss://:pw@10.0.0.5:6380" }).dataPlane).toBe("redis");
    expect(distributedSettings({ redis: "redis://:pw@10.0.0.5:6380" }).dataPlane).toBe("direct");
    expect(distributedSettings({ redis: redis.url }).dataHost).toBe("127.0.0.1");
  });

  it("refuses a data host it cannot listen on with invalid_option (dataHost)", async () => {
    const program = exampleProgram("mlp");
    const executor = await createDistributedExecutor({ redis: redis.url, dataHost: "203.0.113.7" });
    try {
      const e = await rejectsWith(executor.run(megatronMlpPlan(program), randomInputs(program, 1)));
      expect(e.code).toBe("invalid_option");
      expect(e.message).toContain("dataHost");
    } finally {
      await executor.close();
    }
  });

  it("refuses a second live worker with the same name (worker_name_taken)", async () => {
    const first = await startDistributedWorker({ redis: redis.url, name: "twin" });
    try {
      expect((await rejectsWith(startDistributedWorker({ redis: redis.url, name: "twin" }))).code).toBe(
        "worker_name_taken",
      );
    } finally {
      await first.close();
    }
  });

  it("refuses runs after close (executor_closed)", async () => {
    const executor = await createDistributedExecutor({ redis: redis.url });
    await executor.close();
    const program = exampleProgram("mlp");
    expect((await rejectsWith(executor.run(megatronMlpPlan(program), randomInputs(program, 1)))).code).toBe(
      "executor_closed",
    );
  });
});

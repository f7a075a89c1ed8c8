// A job that keeps failing fails the run with a typed error, never a hang: kernel errors,
// kernels that never return, runs over their timeout, malformed jobs injected into a queue,
// and Redis restarting mid-run.
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDistributedExecutor,
  type DistributedExecutor,
  type DistributedRunOptions,
} from "../../../src/exec/distributed/index.js";
import { randomInputs } from "../../../src/exec/reference/index.js";
import { exampleProgram, megatronMlpPlan } from "../local/example-programs.js";
import { expectAgreesWithReference } from "../reference-agreement.js";
import { FAST, startCluster, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster;
let executor: DistributedExecutor;
const program = exampleProgram("mlp");
const plan = megatronMlpPlan(program);
const inputs = randomInputs(program, 2);

beforeAll(async () => {
  cluster = await startCluster(["w1", "w2"], { aof: true });
  executor = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST, kernelTimeoutMs: 5000 });
}, 180_000);

afterAll(async () => {
  await executor?.close();
  await cluster?.close();
});

async function failure(
  options: DistributedRunOptions,
  run = executor,
): Promise<{ code?: string; message: string; context: Record<string, unknown> }> {
  try {
    await run.run(plan, inputs, options);
  } catch (e) {
    return e as { code?: string; message: string; context: Record<string, unknown> };
  }
  throw new Error("the run was expected to fail");
}

describe("the distributed executor's failing runs", () => {
  it("fails with task_failed naming the shard and the cause after the job's attempts", async () => {
    const e = await failure({ faultInjection: { task: "fc2#1", kind: "throw" } });
    expect(e.code).toBe("task_failed");
    expect(e.message).toContain("shard fc2#1 (linear)");
    expect(e.message).toContain("fault injected");
    expect(e.context.task).toBe("fc2#1");
  });

  it("fails with kernel_timeout when a kernel never returns", async () => {
    const e = await failure({ faultInjection: { task: "fc1#0", kind: "hang" } });
    expect(e.code).toBe("kernel_timeout");
    expect(e.message).toContain("fc1#0");
  });

  it("fails with run_timeout when the run does not end in time", async () => {
    const slow = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST, runTimeoutMs: 800 });
    try {
      const e = await failure({ faultInjection: { task: "fc1#0", kind: "hang" } }, slow);
      expect(e.code).toBe("run_timeout");
    } finally {
      await slow.close();
    }
  });

  it("fails with invalid_job when a malformed job is injected into a run's queue, and the worker survives", async () => {
    let injected: Promise<unknown> | undefined;
    const e = await failure({
      onProgress: () => {
        injected ??= (async () => {
          const { Redis } = await import("ioredis");
          const client = new Redis(cluster.redis.url);
          const [run] = await client.smembers("tessera:runs");
          client.disconnect();
          const queue = new Queue(`run.${run}.w1`, {
            connection: { port: cluster.redis.port },
            prefix: "tessera",
          });
          await queue.add("evil", { version: 1, kind: "rm -rf", order: [1, 2, 3] });
          await queue.close();
        })();
      },
    });
    await injected;
    expect(e.code).toBe("invalid_job");
    // The same workers still serve the next run.
    const { outputs } = await executor.run(plan, inputs);
    expectAgreesWithReference(plan, inputs, outputs);
    expect(cluster.workers.every((w) => w.child.exitCode === null)).toBe(true);
  });

  it("resumes after Redis restarts mid-run when Redis keeps an append-only file", {
    timeout: 120_000,
  }, async () => {
    // A job in hand while Redis is down may lose its completion and stall: the run then
    // recovers as from a lost worker, so the kernel timeout here is the default test one.
    const patient = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST });
    try {
      let restarted: Promise<void> | undefined;
      const { outputs } = await patient.run(plan, inputs, {
        onProgress: (done) => {
          if (done === 1) restarted ??= cluster.redis.restart();
        },
      });
      await restarted;
      expectAgreesWithReference(plan, inputs, outputs);
    } finally {
      await patient.close();
    }
  });

  it("leaves no key or queue of the failed runs behind once the workers have let go of them", async () => {
    const { Redis } = await import("ioredis");
    const client = new Redis(cluster.redis.url);
    try {
      // Workers notice a run has ended within their poll interval, then close its queue.
      await new Promise((r) => setTimeout(r, 1000));
      expect(await client.smembers("tessera:runs")).toEqual([]);
      expect(await client.keys("tessera:run*")).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});

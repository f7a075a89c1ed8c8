import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDistributed } from "../../../src/exec/distributed/index.js";
import { evaluateProgram, programOutputs, randomInputs } from "../../../src/exec/reference/index.js";
import { builtinRegistry } from "../../../src/kernels/library/index.js";
import { type RedisServer, startRedis } from "../../support/redis-server.js";
import { startWorkerProcess, type WorkerProcess } from "../../support/worker-processes.js";
import { exampleProgram, megatronMlpPlan } from "../local/example-programs.js";

let redis: RedisServer;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  workers = await Promise.all(["w1", "w2"].map((n) => startWorkerProcess(redis.url, n)));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill("SIGKILL")));
  await redis?.stop(true);
});

describe("the distributed executor", () => {
  it("runs a sharded MLP on two worker processes with the reference's outputs and exactly the derived transfers", async () => {
    const program = exampleProgram("mlp");
    const plan = megatronMlpPlan(program);
    const inputs = randomInputs(program, 1);
    const { outputs, stats } = await runDistributed(plan, inputs, { redis: redis.url });
    const reference = programOutputs(program, evaluateProgram(program, inputs, builtinRegistry()));
    for (const [id, r] of Object.entries(reference)) {
      const got = outputs[id]!;
      for (let k = 0; k < r.data.length; k++) expect(Math.abs(got.data[k]! - r.data[k]!)).toBeLessThan(1e-4);
    }
    expect(stats.bytesMoved).toBe(stats.bytesDerived);
    expect(stats.perWorker.map((w) => w.worker)).toEqual(["w1", "w2"]);
  });
});

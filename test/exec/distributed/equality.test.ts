// The equality proof across processes: random (program × plan) cases, as in
// test/exec/equality-proof.test.ts, run on three `tessera worker` processes through Redis.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDistributedExecutor, type DistributedExecutor } from "../../../src/exec/distributed/index.js";
import { randomInputs } from "../../../src/exec/reference/index.js";
import { builtinRegistry } from "../../../src/kernels/library/index.js";
import { makePlan } from "../../../src/plan/index.js";
import { randomPlan } from "../../plan/random-plans.js";
import { buildRecipe, diceValues, INT_STEP_KINDS, recipe, STEP_KINDS } from "../../shard/random-programs.js";
import { exampleProgram } from "../local/example-programs.js";
import { expectAgreesWithReference } from "../reference-agreement.js";
import { FAST, startCluster, type TestCluster } from "./test-cluster.js";

const registry = builtinRegistry();
const deep = process.env.TESSERA_DEEP !== undefined;
let cluster: TestCluster;
let executor: DistributedExecutor;

beforeAll(async () => {
  cluster = await startCluster(["w1", "w2", "w3"]);
  executor = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST });
}, 180_000);

afterAll(async () => {
  await executor?.close();
  await cluster?.close();
});

describe("the distributed executor equals the reference evaluator across worker processes", () => {
  it("on random float and int32 programs under random shardings and placements", {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(recipe(4, STEP_KINDS), recipe(4, INT_STEP_KINDS, ["int32"])),
        diceValues(),
        fc.nat(1000),
        async (r, dice, s) => {
          const program = buildRecipe(r);
          const plan = randomPlan(program, dice);
          const inputs = randomInputs(program, s);
          const { outputs, stats } = await executor.run(plan, inputs, { registry });
          expect(stats.bytesMoved).toBe(stats.bytesDerived);
          expect(stats.redis.transfersWritten).toBe(stats.bytesDerived);
          expectAgreesWithReference(plan, inputs, outputs);
        },
      ),
      { numRuns: deep ? 100 : 8 },
    );
  });

  it("splits regions above the chunk size over several keys and reads them back whole", async () => {
    const program = exampleProgram("mlp");
    const plan = makePlan(program, {
      devices: ["d0", "d1", "d2", "d3"],
      splits: { fc1: [{ dim: 1, parts: 2 }], act1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 4 }] },
    });
    const inputs = randomInputs(program, 7);
    // Inputs and outputs through Redis too (the data plane of a TLS Redis), so they are chunked.
    const small = await createDistributedExecutor({
      redis: cluster.redis.url,
      ...FAST,
      chunkBytes: 100,
      dataPlane: "redis",
    });
    try {
      const { outputs, stats } = await small.run(plan, inputs);
      expect(stats.redis.chunkedValues).toBeGreaterThan(0);
      expect(stats.redis.inputsWritten).toBeGreaterThan(0);
      expect(stats.redis.outputsWritten).toBeGreaterThan(0);
      expect(stats.direct).toEqual({ inputsServed: 0, inputsShared: 0, outputsReceived: 0 });
      expect(stats.bytesMoved).toBe(stats.bytesDerived);
      expectAgreesWithReference(plan, inputs, outputs);
    } finally {
      await small.close();
    }
  });

  it("runs a device's consecutive tasks in one job (a chain), or one job per task with maxChain 1", async () => {
    const program = exampleProgram("mlp");
    // Rows: every task of a device reads only its own device's tasks, so each device is one chain.
    const rows = [{ dim: 0, parts: 4 }];
    const splits = { fc1: rows, act1: rows, fc2: rows, probs: rows };
    const plan = makePlan(program, { devices: ["d0", "d1"], splits });
    const inputs = randomInputs(program, 5);
    const chained = await executor.run(plan, inputs);
    expect(chained.stats.perWorker.map((w) => [w.worker, w.tasks, w.jobs])).toEqual([
      ["w1", chained.stats.tasks / 2, 1],
      ["w2", chained.stats.tasks / 2, 1],
    ]);
    expectAgreesWithReference(plan, inputs, chained.outputs);
    const single = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST, maxChain: 1 });
    try {
      const { outputs, stats } = await single.run(plan, inputs);
      expect(stats.perWorker.map((w) => w.jobs)).toEqual(stats.perWorker.map((w) => w.tasks));
      expect(outputs).toEqual(chained.outputs);
    } finally {
      await single.close();
    }
  });

  it("reports every worker with its devices, and leaves no key of the run behind", async () => {
    const program = exampleProgram("mlp");
    const plan = makePlan(program, {
      devices: ["d0", "d1", "d2"],
      splits: { fc1: [{ dim: 1, parts: 3 }], act1: [{ dim: 1, parts: 3 }], fc2: [{ dim: 2, parts: 3 }] },
    });
    // An executor of its own: `close` waits for the cleanup that goes on after the result.
    const own = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST });
    const { Redis } = await import("ioredis");
    const client = new Redis(cluster.redis.url);
    let stats: Awaited<ReturnType<DistributedExecutor["run"]>>["stats"];
    try {
      stats = (await own.run(plan, randomInputs(program, 3))).stats;
      // Before the result: the run is no longer in progress and its meta is gone.
      expect(await client.smembers("tessera:runs")).toEqual([]);
      expect(await client.exists(`tessera:run:${stats.run}:meta`)).toBe(0);
    } finally {
      await own.close();
    }
    expect(stats.perWorker.map((w) => [w.worker, w.devices])).toEqual([
      ["w1", ["d0"]],
      ["w2", ["d1"]],
      ["w3", ["d2"]],
    ]);
    expect(stats.perWorker.reduce((n, w) => n + w.tasks, 0)).toBe(stats.tasks);
    expect(stats.perWorker.every((w) => w.jobs >= 1 && w.jobs <= w.tasks)).toBe(true);
    // The direct data plane: inputs and outputs between the coordinator and the workers, not through Redis.
    expect(stats.redis.inputsWritten).toBe(0);
    expect(stats.redis.outputsWritten).toBe(0);
    expect(stats.direct.inputsServed).toBeGreaterThan(0);
    const y = program.tensors.find((t) => t.id === program.outputs[0])!;
    expect(stats.direct.outputsReceived).toBe(y.range.size * 4);
    try {
      // Once closed: not one key or queue of the run is left.
      expect(await client.keys(`tessera:run*${stats.run}*`)).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});

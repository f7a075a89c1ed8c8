// `keepInputs` on the distributed executor: workers keep a run's program inputs for the next
// run with the very same input values, and anything else (new values, another executor, a
// restarted worker, a run without it, a lost worker) reads them as usual, with the reference's
// outputs. Real redis-server, real `tessera worker` processes.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDistributedExecutor,
  type DistributedExecutor,
  type DistributedRunOptions,
  type DistributedRunResult,
} from "../../../src/exec/distributed/index.js";
import { randomInputs } from "../../../src/exec/reference/index.js";
import type { Region } from "../../../src/kernels/region.js";
import { makePlan, type Plan } from "../../../src/plan/index.js";
import { exampleProgram } from "../local/example-programs.js";
import { expectAgreesWithReference } from "../reference-agreement.js";
import { FAST, startCluster, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster;
let executor: DistributedExecutor;
let redis: Redis;

const mlp = exampleProgram("mlp");
/** Rows split over 2 devices: each device reads half of x and all of w1, b1, w2, b2. */
const rows: Plan = makePlan(mlp, {
  devices: ["d0", "d1"],
  splits: { fc1: [{ dim: 0, parts: 2 }], act1: [{ dim: 0, parts: 2 }], fc2: [{ dim: 0, parts: 2 }] },
});
const keep: DistributedRunOptions = { keepInputs: true };

beforeAll(async () => {
  cluster = await startCluster(["w1", "w2"]);
  executor = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST });
  redis = new Redis(cluster.redis.url);
}, 180_000);

afterAll(async () => {
  redis?.disconnect();
  await executor?.close();
  await cluster?.close();
});

/** Runs and checks against the reference; returns the result. */
async function run(
  on: DistributedExecutor,
  inputs: Record<string, Region>,
  options: DistributedRunOptions = keep,
): Promise<DistributedRunResult> {
  const result = await on.run(rows, inputs, options);
  expectAgreesWithReference(rows, inputs, result.outputs);
  return result;
}

/** Input bytes the rows plan loads: half of x per device, the rest whole on each device. */
function loadBytes(inputs: Record<string, Region>): number {
  const bytes = (id: string) => inputs[id]!.data.byteLength;
  return bytes("x") + 2 * (bytes("w1") + bytes("b1") + bytes("w2") + bytes("b2"));
}

/** Waits until every worker of `names` has printed `line` (no deadline here: the test's timeout is it). */
async function printed(names: readonly string[], line: string): Promise<void> {
  const workers = cluster.workers.filter((w) => names.includes(w.name));
  while (!workers.every((w) => w.output().includes(line))) await new Promise((r) => setTimeout(r, 50));
}

describe("keepInputs on the distributed executor", () => {
  it("a second run with the very same inputs moves no input bytes and gives the same outputs", {
    timeout: 60_000,
  }, async () => {
    const inputs = randomInputs(mlp, 31);
    const first = await run(executor, inputs);
    expect(first.stats.bytesLoaded).toBe(loadBytes(inputs));
    expect(first.stats.direct.inputsServed).toBe(first.stats.bytesLoaded);
    expect(first.stats.bytesKept).toBe(0);
    const second = await run(executor, inputs);
    expect(second.stats.bytesLoaded).toBe(0);
    expect(second.stats.direct.inputsServed).toBe(0);
    expect(second.stats.bytesKept).toBe(loadBytes(inputs));
    for (const id of mlp.outputs) expect(second.outputs[id]!.data).toEqual(first.outputs[id]!.data);
    expect(second.stats.bytesMoved).toBe(second.stats.bytesDerived);
  });

  it("reuses nothing for new input values: new objects, or one input's data array replaced", {
    timeout: 60_000,
  }, async () => {
    const a = randomInputs(mlp, 32);
    await run(executor, a);
    const b = randomInputs(mlp, 33);
    expect((await run(executor, b)).stats.bytesLoaded).toBe(loadBytes(b));
    // Equal values in a new data array (same region object): that input moves again, whole on each device.
    const w1 = b.w1!;
    const copy = { ...b, w1: { ...w1, data: w1.data.slice() } };
    expect((await run(executor, copy)).stats.bytesLoaded).toBe(2 * w1.data.byteLength);
    expect((await run(executor, copy)).stats.bytesLoaded).toBe(0);
  });

  it("another executor never takes what workers kept for this one", { timeout: 60_000 }, async () => {
    const inputs = randomInputs(mlp, 34);
    await run(executor, inputs);
    expect((await run(executor, inputs)).stats.bytesLoaded).toBe(0);
    const other = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST });
    try {
      expect((await run(other, inputs)).stats.bytesLoaded).toBe(loadBytes(inputs));
    } finally {
      await other.close();
    }
  });

  it("a run without keepInputs drops what was kept: the next run sends every input again", {
    timeout: 60_000,
  }, async () => {
    const inputs = randomInputs(mlp, 35);
    await run(executor, inputs);
    const keys = () => redis.keys("tessera:executor:*");
    expect(await keys()).toHaveLength(1);
    expect((await run(executor, inputs, {})).stats.bytesLoaded).toBe(loadBytes(inputs));
    // The executor's key is gone: workers taking no part in that run drop what they kept too.
    expect(await keys()).toHaveLength(0);
    expect((await run(executor, inputs)).stats.bytesLoaded).toBe(loadBytes(inputs));
    expect((await run(executor, inputs)).stats.bytesLoaded).toBe(0);
  });

  it("a worker restarted between runs has nothing kept: it reads its inputs, with the same outputs", {
    timeout: 90_000,
  }, async () => {
    const inputs = randomInputs(mlp, 36);
    await run(executor, inputs);
    expect((await run(executor, inputs)).stats.bytesLoaded).toBe(0);
    const old = cluster.workers.find((w) => w.name === "w2")!;
    await old.kill("SIGKILL");
    cluster.workers.splice(cluster.workers.indexOf(old), 1);
    // The same name once its registration has expired: the same devices, an empty cache.
    while ((await executor.workers()).some((w) => w.name === "w2"))
      await new Promise((r) => setTimeout(r, 100));
    await cluster.add("w2");
    const again = await run(executor, inputs);
    const bytes = (id: string) => inputs[id]!.data.byteLength;
    // d1's loads (on w2) are read again; d0's (on w1) are still kept.
    const d1 = bytes("x") / 2 + bytes("w1") + bytes("b1") + bytes("w2") + bytes("b2");
    expect(again.stats.bytesLoaded).toBe(d1);
    expect(again.stats.bytesKept).toBe(loadBytes(inputs) - d1);
  });

  it("completes with the reference's outputs when a worker holding kept inputs is killed mid-run", {
    timeout: 120_000,
  }, async () => {
    const victim = await cluster.add("w3");
    const three = makePlan(mlp, {
      devices: ["d0", "d1", "d2"],
      splits: { fc1: [{ dim: 0, parts: 3 }], act1: [{ dim: 0, parts: 3 }], fc2: [{ dim: 0, parts: 3 }] },
    });
    const inputs = randomInputs(mlp, 37);
    const first = await executor.run(three, inputs, keep);
    expectAgreesWithReference(three, inputs, first.outputs);
    let sent = false;
    const hit = await executor.run(three, inputs, {
      keepInputs: true,
      onProgress: (done) => {
        if (!sent && done >= 1) {
          sent = true;
          void victim.kill("SIGKILL");
        }
      },
    });
    await victim.exited;
    cluster.workers.splice(cluster.workers.indexOf(victim), 1);
    expectAgreesWithReference(three, inputs, hit.outputs);
    expect(hit.stats.bytesMoved).toBe(hit.stats.bytesDerived);
    // Whatever was lost, every input any device needed was either kept or moved.
    expect(hit.stats.bytesLoaded + hit.stats.bytesKept).toBeGreaterThanOrEqual(first.stats.bytesLoaded);
  });

  it("through Redis (dataPlane redis): inputs are still uploaded, but workers holding them read nothing", {
    timeout: 60_000,
  }, async () => {
    const viaRedis = await createDistributedExecutor({
      redis: cluster.redis.url,
      ...FAST,
      dataPlane: "redis",
    });
    try {
      const inputs = randomInputs(mlp, 38);
      const first = await run(viaRedis, inputs);
      expect(first.stats.redis.inputsRead).toBe(loadBytes(inputs));
      expect(first.stats.bytesLoaded).toBe(loadBytes(inputs));
      const second = await run(viaRedis, inputs);
      // Uploaded for a worker that lacks them (restarted, or taking over a lost one's devices).
      expect(second.stats.redis.inputsWritten).toBe(loadBytes(inputs));
      expect(second.stats.redis.inputsRead).toBe(0);
      expect(second.stats.bytesLoaded).toBe(0);
      expect(second.stats.bytesKept).toBe(loadBytes(inputs));
    } finally {
      await viaRedis.close();
    }
  });

  it("workers drop what they kept for an executor once it closes", { timeout: 60_000 }, async () => {
    const before = new Set(await redis.keys("tessera:executor:*"));
    const closing = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST });
    await run(closing, randomInputs(mlp, 39));
    const key = (await redis.keys("tessera:executor:*")).find((k) => !before.has(k));
    expect(key).toBeDefined();
    await closing.close();
    expect(await redis.exists(key!)).toBe(0);
    const id = key!.slice("tessera:executor:".length);
    await printed(["w1", "w2"], `dropped the inputs kept for executor ${id}`);
  });

  it("refuses a keepInputs that is not a boolean with invalid_option", async () => {
    const bad = { keepInputs: "yes" as unknown as boolean };
    await expect(executor.run(rows, randomInputs(mlp, 40), bad)).rejects.toMatchObject({
      code: "invalid_option",
    });
  });
});

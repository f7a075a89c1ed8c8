// Worker loss costs time, never data: real `tessera worker` processes killed with -9 or
// stopped with SIGTERM mid-run, workers joining mid-run, two runs sharing one pool.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDistributedExecutor, type DistributedExecutor } from "../../../src/exec/distributed/index.js";
import { randomInputs } from "../../../src/exec/reference/index.js";
import { deriveTaskGraph, makePlan, type Plan } from "../../../src/plan/index.js";
import { exampleProgram } from "../local/example-programs.js";
import { expectAgreesWithReference } from "../reference-agreement.js";
import { FAST, startCluster, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster;
let executor: DistributedExecutor;
let victims = 0;

/** Four devices, rows and columns split, the second matmul's reduction split: many tasks and transfers. */
function busyPlan(): Plan {
  return makePlan(exampleProgram("mlp"), {
    devices: ["d0", "d1", "d2", "d3"],
    splits: {
      fc1: [
        { dim: 0, parts: 2 },
        { dim: 1, parts: 2 },
      ],
      act1: [
        { dim: 0, parts: 2 },
        { dim: 1, parts: 2 },
      ],
      fc2: [
        { dim: 0, parts: 2 },
        { dim: 2, parts: 2 },
      ],
    },
  });
}

beforeAll(async () => {
  cluster = await startCluster(["w1", "w2"]);
  executor = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST });
}, 180_000);

afterAll(async () => {
  await executor?.close();
  await cluster?.close();
});

/** Runs `plan` with a fresh worker `victim` that gets `signal` once `at` tasks are done. */
async function runLosing(plan: Plan, at: number, signal: NodeJS.Signals) {
  const victim = await cluster.add(`victim${victims++}`);
  let sent = false;
  const hit = () => {
    if (sent) return;
    sent = true;
    void victim.kill(signal);
  };
  const inputs = randomInputs(plan.program, at);
  if (at === 0) setTimeout(hit, 30);
  const result = await executor.run(plan, inputs, {
    onProgress: (done) => {
      if (done >= at) hit();
    },
  });
  return { result, inputs, victim, exit: await victim.exited };
}

describe("the distributed executor when workers are lost", () => {
  it("completes with the reference's outputs after kill -9 of a worker at random points", {
    timeout: 300_000,
  }, async () => {
    const plan = busyPlan();
    const total = deriveTaskGraph(plan).tasks.length;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: total - 1 }), async (at) => {
        const { result, inputs, victim } = await runLosing(plan, at, "SIGKILL");
        expectAgreesWithReference(plan, inputs, result.outputs);
        expect(result.stats.bytesMoved).toBe(result.stats.bytesDerived);
        // Killed before it took a job, it may have lost nothing the run still needed. On a loaded
        // machine a live worker whose heartbeats were late may be declared lost too (and dropped,
        // which costs time only): any worker declared lost other than the victim is alive.
        for (const name of result.stats.recovery.lost.filter((n) => n !== victim.name))
          expect(cluster.workers.find((w) => w.name === name)!.child.exitCode).toBeNull();
        expect(result.stats.perWorker.every((w) => w.worker !== victim.name || w.devices.length === 0)).toBe(
          true,
        );
      }),
      { numRuns: 3, examples: [[0], [total - 1]] },
    );
  });

  it("hands a SIGTERMed worker's devices to the others after it finishes its job and leaves", {
    timeout: 120_000,
  }, async () => {
    const plan = busyPlan();
    const { result, inputs, victim, exit } = await runLosing(plan, 3, "SIGTERM");
    expectAgreesWithReference(plan, inputs, result.outputs);
    expect(exit).toBe(0);
    expect(victim.output()).toContain("stopped");
    expect(result.stats.recovery.lost).toContain(victim.name);
    // On a loaded machine, workers whose heartbeats were only late may be dropped too: alive.
    for (const name of result.stats.recovery.lost.filter((n) => n !== victim.name))
      expect(cluster.workers.find((w) => w.name === name)!.child.exitCode).toBeNull();
  });

  it("moves devices to a worker that joined mid-run when the only other one is killed", {
    timeout: 120_000,
  }, async () => {
    const solo = await startCluster(["solo"]);
    const coordinator = await createDistributedExecutor({
      redis: solo.redis.url,
      ...FAST,
      noWorkersGraceMs: 60_000,
    });
    try {
      const plan = busyPlan();
      const inputs = randomInputs(plan.program, 5);
      let joined: Promise<unknown> | undefined;
      const result = await coordinator.run(plan, inputs, {
        onProgress: (done) => {
          if (done !== 2 || joined !== undefined) return;
          // Frozen, it stops beating and renewing its lock; the run waits (grace period) for "late".
          solo.workers[0]!.child.kill("SIGSTOP");
          joined = solo.add("late").then(() => solo.workers[0]!.kill("SIGKILL"));
        },
      });
      expectAgreesWithReference(plan, inputs, result.outputs);
      expect(result.stats.recovery.lost).toEqual(["solo"]);
      expect(result.stats.perWorker.find((w) => w.worker === "late")!.devices).toEqual([
        "d0",
        "d1",
        "d2",
        "d3",
      ]);
    } finally {
      await coordinator.close();
      await solo.close();
    }
  });

  it("admits again a worker whose heartbeats were only late: the run completes on it, never no_workers", {
    timeout: 120_000,
  }, async () => {
    const slow = await startCluster(["slow"]);
    const coordinator = await createDistributedExecutor({
      redis: slow.redis.url,
      ...FAST,
      noWorkersGraceMs: 30_000,
    });
    try {
      const plan = busyPlan();
      const inputs = randomInputs(plan.program, 6);
      let thawed: Promise<void> | undefined;
      const result = await coordinator.run(plan, inputs, {
        onProgress: (done) => {
          if (done !== 2 || thawed !== undefined) return;
          // A loaded machine, at its worst: no heartbeat and no lock renewal for 4 s, longer than
          // the registration (0.9 s) and the lock (1.5 s) live. The coordinator drops the worker;
          // once it beats again it is the only worker there is, and is admitted again.
          const child = slow.workers[0]!.child;
          child.kill("SIGSTOP");
          thawed = new Promise((r) => setTimeout(r, 4000)).then(() => {
            child.kill("SIGCONT");
          });
        },
      });
      await thawed;
      expectAgreesWithReference(plan, inputs, result.outputs);
      expect(result.stats.recovery.lost).toEqual(["slow"]);
      expect(result.stats.perWorker.find((w) => w.worker === "slow")!.devices).toEqual([
        "d0",
        "d1",
        "d2",
        "d3",
      ]);
      expect(slow.workers[0]!.output()).toContain("again (1)");
    } finally {
      await coordinator.close();
      await slow.close();
    }
  });

  it("fails with no_workers when every worker is lost and none joins within the grace period", {
    timeout: 120_000,
  }, async () => {
    const lone = await startCluster(["lone"]);
    const coordinator = await createDistributedExecutor({
      redis: lone.redis.url,
      ...FAST,
      noWorkersGraceMs: 500,
    });
    try {
      const plan = busyPlan();
      let error: { code?: string } | undefined;
      await coordinator
        .run(plan, randomInputs(plan.program, 1), {
          onProgress: () => {
            void lone.workers[0]!.kill("SIGKILL");
          },
        })
        .catch((e: { code?: string }) => {
          error = e;
        });
      expect(error?.code).toBe("no_workers");
    } finally {
      await coordinator.close();
      await lone.close();
    }
  });

  it("runs two plans at once on one pool of workers, each with its own keys", {
    timeout: 120_000,
  }, async () => {
    const plan = busyPlan();
    const a = randomInputs(plan.program, 11);
    const b = randomInputs(plan.program, 12);
    const other = await createDistributedExecutor({ redis: cluster.redis.url, ...FAST });
    try {
      const [ra, rb] = await Promise.all([executor.run(plan, a), other.run(plan, b)]);
      expect(ra.stats.run).not.toBe(rb.stats.run);
      expectAgreesWithReference(plan, a, ra.outputs);
      expectAgreesWithReference(plan, b, rb.outputs);
    } finally {
      await other.close();
    }
  });
});

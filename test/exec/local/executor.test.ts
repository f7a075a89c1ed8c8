// A persistent local executor: one pool of worker threads serving many runs. Every run must
// still compute the reference's numbers, the threads and their backends must be reused (ONNX
// sessions created once, then found in the cache), a failed task must leave the pool usable,
// a crashed thread must break it for good, and closing must leave no thread behind.
import { afterEach, describe, expect, it } from "vitest";
import { isTesseraError, type TesseraError } from "../../../src/base/errors.js";
import {
  createLocalExecutor,
  type LocalExecutor,
  type LocalExecutorRunOptions,
  type LocalRunResult,
  liveLocalWorkers,
} from "../../../src/exec/local/index.js";
import { evaluateProgram, randomInputs } from "../../../src/exec/reference/index.js";
import { builtinRegistry } from "../../../src/kernels/library/index.js";
import type { Region } from "../../../src/kernels/region.js";
import { deriveTaskGraph, makePlan, type Plan } from "../../../src/plan/index.js";
import { exampleProgram, megatronMlpPlan, withOutputs } from "./example-programs.js";
import { expectCloseToReference } from "./expect-matches.js";

const registry = builtinRegistry();
const mlp = withOutputs(exampleProgram("mlp"), ["fc2"]);
const megatron = megatronMlpPlan(mlp);
/** The MLP's logits reach |170|: the softmax after them needs rel 1e-4 (see `expectCloseToReference`). */
const rel: Record<string, number> = { y: 1e-4 };

let open: LocalExecutor[] = [];

/** An executor closed after the test, whatever happens in it. */
async function executor(options: Parameters<typeof createLocalExecutor>[0]): Promise<LocalExecutor> {
  const e = await createLocalExecutor(options);
  open.push(e);
  return e;
}

afterEach(async () => {
  await Promise.all(open.map((e) => e.close()));
  open = [];
  expect(liveLocalWorkers()).toBe(0);
});

/** Checks every output of `result` against the reference evaluator on the same inputs. */
function expectReference(plan: Plan, inputs: Readonly<Record<string, Region>>, result: LocalRunResult): void {
  const reference = evaluateProgram(plan.program, inputs, registry);
  expect(Object.keys(result.outputs).sort()).toEqual([...plan.program.outputs].sort());
  for (const id of plan.program.outputs)
    expectCloseToReference(result.outputs[id]!, reference[id]!, id, rel[id]);
  expect(result.stats.bytesMoved).toBe(result.stats.bytesDerived);
}

/** The Tessera error `run` rejects with (failing the test if it resolves or throws something else). */
async function rejection(run: Promise<unknown>): Promise<TesseraError> {
  const error: unknown = await run.then(
    () => expect.fail("the run should have failed"),
    (e: unknown) => e,
  );
  if (!isTesseraError(error)) throw error;
  return error;
}

describe("a local executor serving several runs", () => {
  it("computes the reference every time, on the threads it started with", async () => {
    const e = await executor({ threads: 2 });
    expect(liveLocalWorkers()).toBe(2);
    const splits4 = {
      fc1: [{ dim: 1, parts: 4 }],
      act1: [{ dim: 1, parts: 4 }],
      fc2: [{ dim: 2, parts: 4 }],
    };
    const plans: Plan[] = [
      megatron,
      // More devices than threads: d0+d2 and d1+d3 share.
      makePlan(mlp, { devices: ["d0", "d1", "d2", "d3"], splits: splits4 }),
      // Fewer: thread 1 sits this one out.
      makePlan(mlp, { devices: ["d0"] }),
      // Home-placed inputs: transfers of program inputs.
      makePlan(mlp, {
        devices: ["d0", "d1"],
        splits: splits4,
        inputs: mlp.inputs.map((tensor) => ({ tensor, device: "d1" })),
      }),
      megatron,
    ];
    for (const [i, plan] of plans.entries()) {
      const inputs = randomInputs(plan.program, 10 + i);
      const result = await e.run(plan, inputs);
      expectReference(plan, inputs, result);
      expect(result.stats.perThread.map((t) => t.devices)).toEqual(
        plan.devices.length === 4
          ? [
              ["d0", "d2"],
              ["d1", "d3"],
            ]
          : plan.devices.map((d) => [d]),
      );
      expect(result.stats.transfersMoved).toBe(deriveTaskGraph(plan).transfers.length);
      expect(result.stats.phases.startMs).toBe(0);
    }
    expect(e.stats()).toMatchObject({ threads: 2, runs: plans.length, failedRuns: 0, workersSpawned: 2 });
    expect(liveLocalWorkers()).toBe(2);
  });

  it("forgets each run's data: the same plan with new input values computes the new values", async () => {
    const e = await executor({ threads: 2 });
    for (const seed of [1, 2, 3]) {
      const inputs = randomInputs(megatron.program, seed);
      expectReference(megatron, inputs, await e.run(megatron, inputs));
    }
  });

  it("with keepInputs, reuses input copies left in the workers only for the very same input values", async () => {
    const e = await executor({ threads: 2 });
    const a = randomInputs(megatron.program, 21);
    const b = randomInputs(megatron.program, 22);
    const keep: LocalExecutorRunOptions = { keepInputs: true };
    const run = async (plan: Plan, inputs: Record<string, Region>, options = keep) => {
      const result = await e.run(plan, inputs, options);
      expectReference(plan, inputs, result);
      return result.stats.bytesLoaded;
    };
    const all = await run(megatron, a);
    expect(all).toBeGreaterThan(0);
    expect(await run(megatron, a)).toBe(0);
    // New values (new objects): copied again, and the new values are what is computed.
    expect(await run(megatron, b)).toBe(all);
    // One input replaced by an equal-valued copy: only that one is copied (a column half to each device).
    const w1 = b.w1!;
    const copy: Record<string, Region> = { ...b, w1: { ...w1, data: w1.data.slice() } };
    expect(await run(megatron, copy)).toBe(w1.data.byteLength);
    // A run without keepInputs copies everything and drops what was kept.
    expect(await run(megatron, copy, {})).toBe(all);
    expect(await run(megatron, copy)).toBe(all);
    // Another plan over the same inputs reuses only the boxes it shares with the last run: here
    // b2, which every device reads whole in both. Batch halves of x and whole w1, b1, w2 are new.
    const rows = makePlan(mlp, {
      devices: ["d0", "d1"],
      splits: { fc1: [{ dim: 0, parts: 2 }], act1: [{ dim: 0, parts: 2 }], fc2: [{ dim: 0, parts: 2 }] },
    });
    const bytes = (id: string) => copy[id]!.data.byteLength;
    expect(await run(rows, copy)).toBe(bytes("x") + 2 * (bytes("w1") + bytes("b1") + bytes("w2")));
    expect(await run(rows, copy)).toBe(0);
    // A failed run forgets what was kept: the next run copies everything again.
    const failed = e.run(rows, copy, { keepInputs: true, faultInjection: { task: "fc1#1", kind: "throw" } });
    expect((await rejection(failed)).code).toBe("task_failed");
    expect(await run(rows, copy)).toBe(
      bytes("x") + 2 * (bytes("w1") + bytes("b1") + bytes("w2") + bytes("b2")),
    );
    expect(await run(rows, copy)).toBe(0);
  });

  it("serializes runs: a second run waits for the first", async () => {
    const e = await executor({ threads: 2 });
    const events: string[] = [];
    const inputs = randomInputs(megatron.program, 4);
    const runs = ["a", "b", "c"].map((name) =>
      e.run(megatron, inputs, { onProgress: (done, total) => events.push(`${name}${done}/${total}`) }),
    );
    const results = await Promise.all(runs);
    for (const r of results) expectReference(megatron, inputs, r);
    const total = results[0]!.stats.tasks;
    const order = events.map((ev) => ev[0]);
    expect(order).toEqual([...Array(total).fill("a"), ...Array(total).fill("b"), ...Array(total).fill("c")]);
  });

  it("keeps ONNX sessions across runs: created by the first run, found in the cache by the next", async () => {
    // ONNX Runtime is a required component (docs/testing.md): a machine without it fails here.
    const e = await createLocalExecutor({ threads: 2, backend: "onnx" });
    open.push(e);
    const inputs = randomInputs(megatron.program, 5);
    const results: LocalRunResult[] = [];
    const hits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await e.run(megatron, inputs);
      expectReference(megatron, inputs, result);
      results.push(result);
      hits.push(e.stats().perThread.reduce((n, t) => n + t.cacheHits, 0));
    }
    const created = (r: LocalRunResult) =>
      r.stats.perThread.reduce((n, t) => n + t.backend.sessionsCreated, 0);
    const runHits = (r: LocalRunResult) => r.stats.perThread.reduce((n, t) => n + t.backend.cacheHits, 0);
    const native = (r: LocalRunResult) =>
      r.stats.perThread.reduce(
        (n, t) => n + Object.values(t.backend.kernels).reduce((m, k) => m + k.native, 0),
        0,
      );
    expect(created(results[0]!)).toBeGreaterThan(0);
    expect(results.slice(1).map(created)).toEqual([0, 0]);
    // Every native run of a warm run finds its session.
    for (const r of results.slice(1)) expect(runHits(r)).toBeGreaterThanOrEqual(native(r));
    expect(native(results[1]!)).toBeGreaterThan(0);
    expect(hits[1]!).toBeGreaterThan(hits[0]!);
    expect(hits[2]!).toBeGreaterThan(hits[1]!);
    const stats = e.stats();
    expect(stats.perThread.reduce((n, t) => n + t.sessionsCreated, 0)).toBe(created(results[0]!));
    expect(stats).toMatchObject({ backend: "onnx", runs: 3, workersSpawned: 2 });
  });
});

describe("failures on a local executor", () => {
  it("a task that throws fails its run only: the next runs compute the reference on the same threads", async () => {
    const e = await executor({ threads: 2 });
    const inputs = randomInputs(megatron.program, 6);
    // The failing task sits on d1 while d0 still runs fc1#0: that thread finishes it before the next run.
    const error = await rejection(
      e.run(megatron, inputs, { faultInjection: { task: "fc1#1", kind: "throw" } }),
    );
    expect(error.code).toBe("task_failed");
    expect(error.context).toMatchObject({ task: "fc1#1", device: "d1" });
    for (let i = 0; i < 2; i++) expectReference(megatron, inputs, await e.run(megatron, inputs));
    // A failure late in the run, after the partial transfer: nothing of it leaks into the next.
    const late = await rejection(
      e.run(megatron, inputs, { faultInjection: { task: "fc2#combine#0", kind: "throw" } }),
    );
    expect(late.code).toBe("task_failed");
    expectReference(megatron, inputs, await e.run(megatron, inputs));
    expect(e.stats()).toMatchObject({ runs: 3, failedRuns: 2, workersSpawned: 2, broken: false });
    expect(liveLocalWorkers()).toBe(2);
  });

  it("a run refused before it starts (bad inputs, bad fault) costs nothing", async () => {
    const e = await executor({ threads: 2 });
    const inputs = randomInputs(megatron.program, 6);
    const { x: _, ...missing } = inputs;
    expect((await rejection(e.run(megatron, missing))).code).toBe("missing_input");
    const bad = await rejection(e.run(megatron, inputs, { faultInjection: { task: "nope", kind: "throw" } }));
    expect(bad.code).toBe("invalid_option");
    expectReference(megatron, inputs, await e.run(megatron, inputs));
    expect(e.stats()).toMatchObject({ runs: 1, failedRuns: 0 });
  });

  it("a thread that dies breaks the executor: that run and every later one reject with worker_crashed", async () => {
    const e = await executor({ threads: 2 });
    const inputs = randomInputs(megatron.program, 6);
    expectReference(megatron, inputs, await e.run(megatron, inputs));
    const crash = await rejection(
      e.run(megatron, inputs, { faultInjection: { task: "fc1#1", kind: "exit" } }),
    );
    expect(crash.code).toBe("worker_crashed");
    expect(crash.summary).toBe(
      "worker thread 1 (devices d1) crashed while running shard fc1#1 (linear): the thread exited with code 1",
    );
    // A broken executor holds no threads by the time its run rejects.
    expect(liveLocalWorkers()).toBe(0);
    const later = await rejection(e.run(megatron, inputs));
    expect(later.code).toBe("worker_crashed");
    expect(later.summary).toMatch(/crashed in an earlier run \(worker thread 1 .*\); create a new executor$/);
    expect(later.context).toMatchObject({ thread: 1, task: "fc1#1", earlier: true });
    // Runs refused by a broken executor never reach a worker: they are not counted as failed runs.
    expect(e.stats()).toMatchObject({ runs: 1, failedRuns: 1, broken: true });
    await e.close();
    // A new executor works.
    const fresh = await executor({ threads: 2 });
    expectReference(megatron, inputs, await fresh.run(megatron, inputs));
  });

  it("runs queued behind a crashing run reject too", async () => {
    const e = await executor({ threads: 1 });
    const inputs = randomInputs(megatron.program, 6);
    const crashing = rejection(e.run(megatron, inputs, { faultInjection: { task: "act1#0", kind: "exit" } }));
    const queued = rejection(e.run(megatron, inputs));
    expect((await crashing).code).toBe("worker_crashed");
    expect((await queued).code).toBe("worker_crashed");
  });
});

describe("creating and closing a local executor", () => {
  it("refuses bad options before any thread starts: invalid_option", async () => {
    for (const options of [{ threads: 0 }, { threads: 2.5 }, { backend: "gpu" as "onnx" }]) {
      const error = await rejection(createLocalExecutor(options));
      expect(error.code).toBe("invalid_option");
      expect(liveLocalWorkers()).toBe(0);
    }
  });

  it("close is idempotent, waits for runs already asked for, and leaves no thread", async () => {
    const e = await executor({ threads: 2 });
    const inputs = randomInputs(megatron.program, 8);
    const pending = e.run(megatron, inputs);
    const first = e.close();
    expect(e.close()).toBe(first);
    expectReference(megatron, inputs, await pending);
    await first;
    expect(liveLocalWorkers()).toBe(0);
    const error = await rejection(e.run(megatron, inputs));
    expect(error.code).toBe("executor_closed");
    await e.close();
    expect(liveLocalWorkers()).toBe(0);
  });

  it("close right after a failed run ends every thread", async () => {
    const e = await executor({ threads: 2 });
    const inputs = randomInputs(megatron.program, 8);
    const failed = rejection(e.run(megatron, inputs, { faultInjection: { task: "fc1#1", kind: "throw" } }));
    await e.close();
    expect((await failed).code).toBe("task_failed");
    expect(liveLocalWorkers()).toBe(0);
  });
});

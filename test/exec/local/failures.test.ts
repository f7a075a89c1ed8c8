// How a local run fails: a task that throws and a thread that dies both reject promptly with
// a typed error naming the culprit, and leave no worker thread behind; bad options and
// kernels the workers cannot rebuild are refused before any thread starts.
import { describe, expect, it } from "vitest";
import { isTesseraError, type TesseraError } from "../../../src/base/errors.js";
import { type LocalRunOptions, liveLocalWorkers, runLocal } from "../../../src/exec/local/index.js";
import { randomInputs } from "../../../src/exec/reference/index.js";
import { builtinRegistry } from "../../../src/kernels/library/index.js";
import { extendRegistry } from "../../../src/kernels/registry.js";
import { megatronMlpPlan } from "./example-programs.js";

const plan = megatronMlpPlan();
const inputs = randomInputs(plan.program, 1);

/** The Tessera error `runLocal` rejects with (failing the test if it resolves or throws something else). */
async function rejection(options: LocalRunOptions, runInputs = inputs): Promise<TesseraError> {
  const error: unknown = await runLocal(plan, runInputs, options).then(
    () => expect.fail("the run should have failed"),
    (e: unknown) => e,
  );
  if (!isTesseraError(error)) throw error;
  return error;
}

describe("a task that throws in its worker", () => {
  it("rejects with task_failed naming the shard, its kernel and device", async () => {
    const error = await rejection({ faultInjection: { task: "fc1#1", kind: "throw" } });
    expect(error.code).toBe("task_failed");
    expect(error.summary).toMatch(/^shard fc1#1 \(linear\) on device d1 failed: fault injected/);
    expect(error.context).toMatchObject({ task: "fc1#1", op: "fc1", kernel: "linear", device: "d1" });
    expect(liveLocalWorkers()).toBe(0);
  });

  it("names a combine task by its monoid", async () => {
    const error = await rejection({ faultInjection: { task: "fc2#combine#0", kind: "throw" } });
    expect(error.code).toBe("task_failed");
    expect(error.summary).toMatch(/^combine fc2#combine#0 \(sum\) on device d0 failed/);
    expect(liveLocalWorkers()).toBe(0);
  });
});

describe("a worker thread that dies", () => {
  it("rejects promptly with worker_crashed naming the thread, its devices and the task it ran", async () => {
    const started = performance.now();
    const error = await rejection({ faultInjection: { task: "fc1#1", kind: "exit" } });
    expect(error.code).toBe("worker_crashed");
    expect(error.summary).toBe(
      "worker thread 1 (devices d1) crashed while running shard fc1#1 (linear): the thread exited with code 1",
    );
    expect(error.context).toMatchObject({ thread: 1, devices: ["d1"], task: "fc1#1" });
    expect(liveLocalWorkers()).toBe(0);
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it("does not poison the next run", async () => {
    await rejection({ faultInjection: { task: "act1#0", kind: "exit" }, threads: 1 });
    const result = await runLocal(plan, inputs);
    expect(result.stats.bytesMoved).toBe(result.stats.bytesDerived);
    expect(liveLocalWorkers()).toBe(0);
  });
});

describe("refused before any thread starts", () => {
  it.each([
    { options: { threads: 0 }, option: "threads" },
    { options: { threads: 1.5 }, option: "threads" },
    { options: { backend: "gpu" } as unknown as LocalRunOptions, option: "backend" },
    { options: { faultInjection: { task: "nope#0", kind: "throw" } } as const, option: "faultInjection" },
  ])("an invalid $option option: invalid_option", async ({ options, option }) => {
    const error = await rejection(options);
    expect(error.code).toBe("invalid_option");
    expect(error.context.option).toBe(option);
    expect(liveLocalWorkers()).toBe(0);
  });

  it("a kernel only the caller's registry has: unknown_kernel naming the operation", async () => {
    const builtin = builtinRegistry().get("relu")!;
    const registry = extendRegistry(builtinRegistry(), [{ ...builtin, impl: builtin.impl }]);
    const error = await rejection({ registry });
    expect(error.code).toBe("unknown_kernel");
    expect(error.context).toEqual({ op: "act1", kernel: "relu" });
  });

  it("a missing input: missing_input", async () => {
    const { x: _, ...rest } = inputs;
    const error = await rejection({}, rest);
    expect(error.code).toBe("missing_input");
  });
});

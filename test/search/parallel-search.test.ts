import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { isTesseraError } from "../../src/base/errors.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { makePlan } from "../../src/plan/index.js";
import { runParallel } from "../../src/search/parallel/parallel-search.js";
import type { SearchRun } from "../../src/search/search-run.js";

const program = buildMlp();
const cluster = presetCluster("dgx-a100");
const devices = cluster.devices.map((d) => d.id);

function run(overrides: Partial<SearchRun>): SearchRun {
  return {
    program,
    cluster,
    pricing: "point-to-point",
    devices,
    pins: [],
    seed: 1,
    budget: { evaluations: 200 },
    workers: 2,
    capacity: 48,
    starts: [program.operations.map((o) => ({ op: o.id, splits: [], devices: [devices[0]!] }))],
    base: createSimulator(makePlan(program, { devices }), cluster),
    started: Date.now(),
    ...overrides,
  };
}

async function failure(r: SearchRun) {
  try {
    await runParallel(r);
  } catch (error: unknown) {
    if (isTesseraError(error)) return error;
    throw error;
  }
  throw new Error("expected the run to fail");
}

describe("runParallel", () => {
  it("merges the workers' fronts into one, counting every worker's evaluations", async () => {
    const outcome = await runParallel(run({}));
    expect(outcome.front.length).toBeGreaterThan(0);
    expect(outcome.evaluations).toBeGreaterThanOrEqual(200);
    expect(outcome.stoppedBy).toBe("evaluations");
  });

  it("reports a worker that fails outside typed errors as worker_crashed, and stops the others", async () => {
    // A seed whose splits are not a list (no caller of searchPlans can send one) breaks the
    // worker while it seeds, outside the typed errors.
    const splits = null as unknown as [];
    const starts = [[{ op: program.operations[0]!.id, splits, devices: [devices[0]!] }]];
    const error = await failure(run({ starts }));
    expect(error.code).toBe("worker_crashed");
    expect([0, 1]).toContain(error.context.worker);
  });

  it("reports a typed error of a worker with its code", async () => {
    // A seed naming an operation the program lacks: plan_mismatch, as in this thread.
    const starts = [[{ op: "no-such-op", splits: [], devices: [devices[0]!] }]];
    const error = await failure(run({ starts }));
    expect(error.code).toBe("plan_mismatch");
    expect([0, 1]).toContain(error.context.worker);
  });

  it("stops its workers once aborted and resolves with the front found so far", async () => {
    const abort = new AbortController();
    // Budgets far beyond the test's timeout: only the abort ends these runs.
    for (const budget of [{ seconds: 600 }, { evaluations: 1e9 }]) {
      const running = runParallel(run({ budget, signal: abort.signal }));
      setTimeout(() => abort.abort(), 500);
      const outcome = await running;
      expect(outcome.stoppedBy).toBe("aborted");
      expect(outcome.front.length).toBeGreaterThan(0);
    }
  });
});

import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { buildTransformerBlock } from "../../examples/transformer-block.js";
import { isTesseraError } from "../../src/base/errors.js";
import { parseCluster, presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { planToJson, validatePlan } from "../../src/plan/index.js";
import {
  dominates,
  objectivesOf,
  type SearchOptions,
  type SearchPool,
  type SearchResult,
  searchPlans,
  threadSearchPool,
} from "../../src/search/index.js";
import type { EpochReport } from "../../src/search/parallel/search-worker-protocol.js";
import { roundCluster } from "../cost/clusters.js";

const frontKey = (r: SearchResult) => JSON.stringify(r.front.map((m) => [planToJson(m.plan), m.cost]));

/** The MLP at a size where its weights (32 MB) overflow one 24 MB device of eight. */
const bigMlp = buildMlp(64, 1024, 4096, 1024);
const smallDevices = roundCluster(1, 8, { memory: 24e6 });

async function errorOf(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error: unknown) {
    if (isTesseraError(error)) return { code: error.code, context: error.context };
    throw error;
  }
  throw new Error("expected a typed error");
}

describe("searchPlans", () => {
  const cluster = presetCluster("dgx-a100");
  const program = buildTransformerBlock(256, 512, 8, 2048);
  const options: SearchOptions = { seed: 11, budget: { evaluations: 600 } };

  it("returns a front of valid plans on which no plan dominates another, sorted by makespan", async () => {
    const result = await searchPlans(program, cluster, options);
    expect(result.front.length).toBeGreaterThan(0);
    const capacity = Object.fromEntries(cluster.devices.map((d) => [d.id, 80 * 2 ** 30]));
    const objectives = result.front.map((m) => objectivesOf(m.cost, capacity));
    for (const a of objectives) for (const b of objectives) expect(dominates(a, b)).toBe(false);
    for (let i = 1; i < result.front.length; i++)
      expect(result.front[i]!.cost.makespan).toBeGreaterThanOrEqual(result.front[i - 1]!.cost.makespan);
    for (const m of result.front) {
      const check = validatePlan(planToJson(m.plan), builtinRegistry());
      expect(check.issues).toEqual([]);
      // The cost a front plan carries is what a fresh simulation of it says.
      expect(createSimulator(check.plan!, cluster).cost()).toEqual(m.cost);
    }
    expect(result.front[result.chosen]!.cost.feasible).toBe(true);
    expect(result.stats.evaluations).toBe(600);
    expect(result.stats.stoppedBy).toBe("evaluations");
    expect(result.stats.mutators.reduce((s, m) => s + m.probability, 0)).toBeCloseTo(1, 9);
  });

  it("is reproducible from its seed under an evaluation budget, and the seed matters", async () => {
    const [a, b, c] = await Promise.all([
      searchPlans(program, cluster, options),
      searchPlans(program, cluster, options),
      searchPlans(program, cluster, { ...options, seed: 12 }),
    ]);
    expect(frontKey(a)).toEqual(frontKey(b));
    expect(frontKey(a)).not.toEqual(frontKey(c));
  });

  it("is reproducible with parallel workers too, which share the front between epochs", async () => {
    const parallel: SearchOptions = { seed: 5, budget: { evaluations: 4400 }, workers: 2 };
    const a = await searchPlans(program, cluster, parallel);
    const b = await searchPlans(program, cluster, parallel);
    expect(frontKey(a)).toEqual(frontKey(b));
    expect(a.stats.workers).toBe(2);
    expect(a.stats.evaluations).toBeGreaterThanOrEqual(4400);
  });

  it("is never slower than the baselines it starts from", async () => {
    const result = await searchPlans(program, cluster, options);
    const best = result.front[result.chosen]!.cost.makespan;
    for (const b of result.baselines.filter((b) => b.cost.feasible))
      expect(best).toBeLessThanOrEqual(b.cost.makespan);
    expect(result.baselines.map((b) => b.name)).toEqual([
      "single-device",
      "data-parallel",
      "megatron",
      "dp4xtp2",
      "dp2xtp4",
    ]);
    expect(best).toBeGreaterThanOrEqual(result.lowerBound.seconds);
  });

  it("gives every baseline the cost a fresh simulation gives, whether taken from the search's starts or not", async () => {
    // A pin changes some starts away from their baselines: those baselines are simulated apart.
    const pin = { op: program.operations[0]!.id, splits: [], devices: [cluster.devices[3]!.id] };
    for (const extra of [{}, { workers: 2 }, { pins: [pin] }, { workers: 2, pins: [pin] }]) {
      const result = await searchPlans(program, cluster, {
        ...options,
        budget: { evaluations: 40 },
        ...extra,
      });
      expect(result.baselines).toHaveLength(5);
      for (const b of result.baselines) expect(b.cost).toEqual(createSimulator(b.plan, cluster).cost());
    }
  });

  it("takes the starting baselines' costs from the worker threads' first epochs", async () => {
    const firsts = new Map<number, EpochReport>();
    const watched: SearchPool = {
      async open(setups, stop, onProgress) {
        const session = await threadSearchPool.open(setups, stop, onProgress);
        return {
          async epoch(i, limit, incoming) {
            const report = await session.epoch(i, limit, incoming);
            if (!firsts.has(i)) firsts.set(i, report);
            return report;
          },
          close: () => session.close(),
        };
      },
    };
    const result = await searchPlans(program, cluster, {
      ...options,
      budget: { evaluations: 40 },
      workers: 2,
      pool: watched,
    });
    const reported = [...firsts.values()].flatMap((r) => r.startCosts ?? []);
    // Five starts, one per baseline, each costed once by one worker; a baseline on all the
    // devices is its start, and its cost is the one a worker reported.
    expect(reported).toHaveLength(5);
    const dataParallel = result.baselines.find((b) => b.name === "data-parallel")!;
    expect(reported).toContainEqual(dataParallel.cost);
  });

  it("finds the column-then-row split of an MLP too large for one device, starting from one device", async () => {
    const result = await searchPlans(bigMlp, smallDevices, {
      seed: 0,
      budget: { evaluations: 3000 },
      fromBaselines: false,
    });
    expect(result.baselines.find((b) => b.name === "single-device")!.cost.feasible).toBe(false);
    expect(result.baselines.find((b) => b.name === "data-parallel")!.cost.feasible).toBe(false);
    const best = result.front[result.chosen]!;
    expect(best.cost.feasible).toBe(true);
    const split = (op: string) =>
      best.plan.operations.find((o) => o.op === op)!.sharding.splits.map((s) => s.dim);
    // fc1's index is (batch, out, in) and fc2's too: columns of W1, then rows of W2 (a reduction).
    expect(split("fc1")).toContain(1);
    expect(split("fc2")).toContain(2);
    const megatron = result.baselines.find((b) => b.name === "megatron")!;
    expect(best.cost.makespan).toBeLessThanOrEqual(megatron.cost.makespan);
  });

  it("keeps pinned shardings in every plan of the front", async () => {
    const pins = [{ op: "mlp_up", splits: [{ dim: 0, parts: 2 }] }];
    const result = await searchPlans(program, cluster, { ...options, pins });
    for (const m of result.front) {
      const up = m.plan.operations.find((o) => o.op === "mlp_up")!;
      expect(up.sharding.splits).toEqual([{ dim: 0, parts: 2 }]);
    }
  });

  it("reports progress as it goes", async () => {
    const seen: number[] = [];
    await searchPlans(program, cluster, {
      ...options,
      budget: { evaluations: 1000 },
      onProgress: (p) => seen.push(p.fraction),
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });

  it("stops when its signal aborts, on this thread too, and returns the front found so far", async () => {
    const abort = new AbortController();
    // A budget far beyond the test's timeout: only the abort ends the run.
    const running = searchPlans(program, cluster, {
      ...options,
      budget: { evaluations: 1e9 },
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 500);
    const result = await running;
    expect(result.stats.stoppedBy).toBe("aborted");
    expect(result.front.length).toBeGreaterThan(0);
    expect(result.front[result.chosen]!.cost.makespan).toBeGreaterThanOrEqual(result.lowerBound.seconds);
  });

  it("aborted before it starts, still evaluates its first starting plan", async () => {
    const abort = new AbortController();
    abort.abort();
    const result = await searchPlans(program, cluster, { ...options, signal: abort.signal });
    expect(result.stats.stoppedBy).toBe("aborted");
    expect(result.stats.evaluations).toBe(1);
    expect(result.front).toHaveLength(1);
    expect(result.baselines).toEqual([]);
  });

  it("refuses bad budgets, worker counts, device counts and pins with typed errors", async () => {
    const bad = (o: SearchOptions) => errorOf(() => searchPlans(program, cluster, o));
    expect((await bad({ budget: {} })).code).toBe("invalid_budget");
    expect((await bad({ budget: { seconds: -1 } })).code).toBe("invalid_budget");
    expect((await bad({ budget: { evaluations: 2.5 } })).code).toBe("invalid_budget");
    expect((await bad({ workers: 0 })).code).toBe("invalid_option");
    expect((await bad({ devices: 9 })).code).toBe("invalid_device_count");
    expect((await bad({ pins: [{ op: "nope", splits: [] }] })).code).toBe("plan_mismatch");
    expect(
      (
        await bad({
          pins: [
            { op: "ln1", splits: [] },
            { op: "ln1", splits: [] },
          ],
        })
      ).code,
    ).toBe("invalid_pin");
    expect((await bad({ pins: [{ op: "ln1" }] })).code).toBe("invalid_pin");
    expect((await bad({ pins: [{ op: "ln1", devices: [] }] })).code).toBe("invalid_pin");
    expect((await bad({ pins: [{ op: "ln1", devices: ["elsewhere"] }] })).code).toBe("unknown_device");
    expect(
      (await bad({ pins: [{ op: "ln1", splits: [{ dim: 0, parts: 2 }], devices: ["node0.d0"] }] })).code,
    ).toBe("device_count_mismatch");
    expect((await bad({ pins: [{ op: "ln1", splits: [{ dim: 7, parts: 2 }] }] })).code).toBe(
      "dimension_out_of_bounds",
    );
  });
});

describe("searchPlans on devices that cannot compute the program's dtype", () => {
  // Host `g` computes float64, host `c` float32 only: a float64 program fits the bound (some
  // device can run each operation) but the baselines spread it over devices that cannot.
  const mixed = parseCluster({
    version: 1,
    kind: "cluster",
    name: "mixed",
    deviceTypes: {
      g: {
        peakFlops: { float32: 1e12, float64: 5e11 },
        memoryBytes: 1e9,
        memoryBandwidth: 1e11,
        launchOverhead: 1e-6,
      },
      c: { peakFlops: { float32: 1e12 }, memoryBytes: 1e9, memoryBandwidth: 1e11, launchOverhead: 1e-6 },
    },
    hosts: [
      { id: "g", deviceType: "g", devices: 2 },
      { id: "c", deviceType: "c", devices: 2 },
    ],
    intraHost: { bandwidth: 1e10, latency: 1e-6 },
    interHost: { bandwidth: 1e9, latency: 1e-5 },
  });
  const p = program("f64");
  const x = p.input("x", [16, 8], "float64");
  p.output("y", p.relu(p.linear(x, p.input("w", [8, 8], "float64")), { id: "act" }));
  const f64 = p.build();

  it.each([1, 2])("fails with unsupported_dtype (and stops its %i worker threads)", async (workers) => {
    const error = await errorOf(() => searchPlans(f64, mixed, { workers, budget: { evaluations: 100 } }));
    expect(error.code).toBe("unsupported_dtype");
  });
});

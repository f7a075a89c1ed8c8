import { describe, expect, it } from "vitest";
import { type Cluster, type ExecutorOverheads, parseCluster } from "../../src/cluster/index.js";
import { createSimulator, runOverheadSeconds, taskOverheadSeconds } from "../../src/cost/index.js";
import { program } from "../../src/frontend/index.js";
import { makePlan } from "../../src/plan/index.js";
import { roundCluster, sameSeconds } from "./clusters.js";

const local: ExecutorOverheads = {
  kind: "local",
  runStart: 1e-3,
  runStartPerTask: 1e-5,
  load: { bandwidth: 1e9, latency: 5e-5 },
  taskDispatch: 2e-4,
  fetch: { bandwidth: 2e9, latency: 1e-4 },
  runEnd: 5e-4,
};

describe("runOverheadSeconds", () => {
  it("adds the run's start, loads, fetches and end", () => {
    const run = { tasks: 10, inputs: 2, loadedBytes: 1e6, fetches: 1, fetchedBytes: 2e6 };
    // 1 ms + 10 × 10 µs + (2 × 50 µs + 1 ms) + (100 µs + 1 ms) + 0.5 ms
    expect(runOverheadSeconds(local, run)).toBeCloseTo(1e-3 + 1e-4 + 1.1e-3 + 1.1e-3 + 5e-4, 15);
    // Nothing to load: no load latency either.
    expect(runOverheadSeconds(local, { ...run, loadedBytes: 0 })).toBeCloseTo(
      1e-3 + 1e-4 + 1.1e-3 + 5e-4,
      15,
    );
  });

  it("is 0 without an executor, as is the per-task overhead", () => {
    expect(
      runOverheadSeconds(undefined, { tasks: 5, inputs: 1, loadedBytes: 1, fetches: 1, fetchedBytes: 1 }),
    ).toBe(0);
    expect(taskOverheadSeconds(undefined)).toBe(0);
    expect(taskOverheadSeconds(local)).toBe(2e-4);
  });

  it("takes the busy dispatch while other devices of the host compute, the plain one without it", () => {
    const busy = { ...local, taskDispatchBusy: 7e-4 };
    expect(taskOverheadSeconds(busy, 1)).toBe(2e-4);
    expect(taskOverheadSeconds(busy, 2)).toBe(7e-4);
    expect(taskOverheadSeconds(local, 2)).toBe(2e-4);
  });
});

/** `cluster` with `executor` added. */
function withExecutor(cluster: Cluster, executor: ExecutorOverheads): Cluster {
  return { ...cluster, executor };
}

describe("the simulator with executor overheads", () => {
  const p = program("chain");
  const x = p.input("x", [64, 64]);
  p.output("y", p.relu(p.neg(x, { id: "n" }), { id: "r" }));
  const prog = p.build();
  const base = roundCluster(1, 2);

  it("adds the dispatch to every task and the run's overheads to the makespan", () => {
    const plan = makePlan(prog, { devices: ["d0", "d1"], placement: { n: ["d0"], r: ["d0"] } });
    const without = createSimulator(plan, base).simulate();
    const withOverheads = createSimulator(plan, withExecutor(base, local)).simulate();
    const bytes = 64 * 64 * 4;
    const run = { tasks: 2, inputs: 1, loadedBytes: bytes, fetches: 1, fetchedBytes: bytes };
    expect(
      sameSeconds(
        withOverheads.cost.makespan,
        without.cost.makespan + 2 * local.taskDispatch + runOverheadSeconds(local, run),
      ),
    ).toBe(true);
    for (const [i, c] of withOverheads.timeline.compute.entries()) {
      const plain = without.timeline.compute[i]!;
      expect(sameSeconds(c.end - c.start, plain.end - plain.start + local.taskDispatch)).toBe(true);
    }
  });

  it("counts the bytes each device loads: a pre-distributed input split over two devices loads once in all", () => {
    const plan = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { n: [{ dim: 0, parts: 2 }], r: [{ dim: 0, parts: 2 }] },
    });
    const without = createSimulator(plan, base).cost().makespan;
    const withOverheads = createSimulator(plan, withExecutor(base, local)).cost().makespan;
    const bytes = 64 * 64 * 4;
    const run = { tasks: 4, inputs: 1, loadedBytes: bytes, fetches: 2, fetchedBytes: bytes };
    // Two tasks on each device, in parallel: two dispatches on the critical path.
    expect(
      sameSeconds(withOverheads, without + 2 * local.taskDispatch + runOverheadSeconds(local, run)),
    ).toBe(true);
  });

  it("prices tasks with the busy dispatch when the plan uses two devices of the host, the plain one on one device", () => {
    const busy = { ...local, taskDispatchBusy: 7e-4 };
    const bytes = 64 * 64 * 4;
    const split = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { n: [{ dim: 0, parts: 2 }], r: [{ dim: 0, parts: 2 }] },
    });
    const without = createSimulator(split, base).cost().makespan;
    const run = { tasks: 4, inputs: 1, loadedBytes: bytes, fetches: 2, fetchedBytes: bytes };
    expect(
      sameSeconds(
        createSimulator(split, withExecutor(base, busy)).cost().makespan,
        without + 2 * busy.taskDispatchBusy + runOverheadSeconds(busy, run),
      ),
    ).toBe(true);
    const alone = makePlan(prog, { devices: ["d0", "d1"], placement: { n: ["d0"], r: ["d0"] } });
    const plain = createSimulator(alone, withExecutor(base, local)).cost().makespan;
    expect(createSimulator(alone, withExecutor(base, busy)).cost().makespan).toBe(plain);
  });

  it("reads the executor from a cluster document", () => {
    const doc = { ...JSON.parse(JSON.stringify(roundClusterJson())), executor: local };
    expect(parseCluster(doc).executor).toEqual(local);
  });
});

function roundClusterJson() {
  return {
    version: 1,
    kind: "cluster",
    name: "r",
    deviceTypes: {
      g: { peakFlops: { float32: 1e12 }, memoryBytes: 1e9, memoryBandwidth: 1e11, launchOverhead: 1e-6 },
    },
    hosts: [{ id: "h", deviceType: "g", devices: 2 }],
    intraHost: { bandwidth: 1e10, latency: 1e-6 },
    interHost: { bandwidth: 1e9, latency: 1e-5 },
  };
}

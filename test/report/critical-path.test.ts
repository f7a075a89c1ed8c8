import { describe, expect, it } from "vitest";
import { presetCluster } from "../../src/cluster/index.js";
import { type Simulation, simulatePlan } from "../../src/cost/index.js";
import { loadProgramFile, program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { deriveTaskGraph, makePlan, type Plan } from "../../src/plan/index.js";
import { type CriticalItem, criticalPath } from "../../src/report/index.js";

const cluster = presetCluster("dgx-a100");
const mlp = () => loadProgramFile("examples/mlp.json", builtinRegistry());

function pathOf(plan: Plan, pricing: "point-to-point" | "collective" = "point-to-point") {
  const sim = simulatePlan(plan, cluster, { pricing });
  return { sim, path: criticalPath(sim, deriveTaskGraph(plan)) };
}

const names = (path: readonly CriticalItem[]) =>
  path.map((p) => (p.kind === "compute" ? p.interval.task : `x${p.interval.id}`));

/** Two independent chains `x → a1 → a2 → a3` (big) and `y → b1` (small), each op placed as given. */
function branches(place: Record<string, string>): Plan {
  const p = program("branches");
  const a1 = p.relu(p.input("x", [512, 512]), { id: "a1" });
  const a2 = p.tanh(a1, { id: "a2" });
  p.output("a", p.relu(a2, { id: "a3" }));
  p.output("b", p.relu(p.input("y", [4, 4]), { id: "b1" }));
  const placement = Object.fromEntries(Object.entries(place).map(([op, d]) => [op, [d]]));
  return makePlan(p.build(), { devices: ["d0", "d1"], placement });
}

/**
 * Every item starts when the one before it ends (after a port wait: while it is in flight, its
 * arrival trailing the port's release by the link latency), and the last ends at the makespan.
 */
function expectContiguous(sim: Simulation, path: readonly CriticalItem[]) {
  expect(path.length).toBeGreaterThan(0);
  expect(path[0]!.after).toBe("first");
  for (let k = 1; k < path.length; k++) {
    expect(path[k]!.after).not.toBe("first");
    const [prev, item] = [path[k - 1]!.interval, path[k]!.interval];
    if (path[k]!.after === "port") {
      expect(prev.start).toBeLessThan(item.start);
      expect(prev.end).toBeGreaterThanOrEqual(item.start);
    } else expect(item.start).toBeCloseTo(prev.end, 15);
  }
  expect(path.at(-1)!.kind).toBe("compute");
  expect(path.at(-1)!.interval.end).toBe(sim.cost.makespan);
}

describe("criticalPath", () => {
  it("is every task of a chain on one device, in order", () => {
    const { sim, path } = pathOf(makePlan(mlp(), { devices: ["d0"] }));
    expect(names(path)).toEqual(["fc1#0", "act1#0", "fc2#0", "probs#0"]);
    expect(path.map((p) => p.after)).toEqual(["first", "dependency", "dependency", "dependency"]);
    expect(path.map((p) => p.index)).toEqual([0, 1, 2, 3]);
    expectContiguous(sim, path);
  });

  it("picks the longer of two independent branches on two devices", () => {
    const { sim, path } = pathOf(branches({ a1: "d0", a2: "d0", a3: "d0", b1: "d1" }));
    expect(names(path)).toEqual(["a1#0", "a2#0", "a3#0"]);
    expectContiguous(sim, path);
    // The same when the short branch runs on the device of the long one: neither waits.
    const swapped = pathOf(branches({ a1: "d1", a2: "d1", a3: "d1", b1: "d0" }));
    expect(names(swapped.path)).toEqual(["a1#0", "a2#0", "a3#0"]);
  });

  it("follows a resource wait when an independent task holds the device", () => {
    // b1 comes last in program order, so on a shared device it waits for a3 and ends last.
    const { sim, path } = pathOf(branches({ a1: "d0", a2: "d0", a3: "d0", b1: "d0" }));
    expect(names(path)).toEqual(["a1#0", "a2#0", "a3#0", "b1#0"]);
    expect(path.at(-1)!.after).toBe("device");
    expectContiguous(sim, path);
  });

  it("includes the transfer between a producer and its consumer on another device", () => {
    const { sim, path } = pathOf(branches({ a1: "d0", a2: "d1", a3: "d1", b1: "d0" }));
    expect(names(path)).toEqual(["a1#0", "x0", "a2#0", "a3#0"]);
    expect(path.map((p) => p.after)).toEqual(["first", "producer", "arrival", "dependency"]);
    const x = path[1]!;
    expect(x.kind === "transfer" && [x.interval.from, x.interval.to, x.interval.bytes]).toEqual([
      "d0",
      "d1",
      512 * 512 * 4,
    ]);
    expectContiguous(sim, path);
  });

  it("is a contiguous chain ending at the makespan for sharded example plans, both pricings", () => {
    const megatron = makePlan(mlp(), {
      devices: ["d0", "d1", "d2", "d3"],
      splits: { fc1: [{ dim: 1, parts: 4 }], act1: [{ dim: 1, parts: 4 }], fc2: [{ dim: 2, parts: 4 }] },
      inputs: [{ tensor: "x", device: "d0" }],
    });
    const block = loadProgramFile("examples/transformer-block.json", builtinRegistry());
    const spread = makePlan(block, { devices: ["d0", "d1", "d2"] });
    for (const plan of [megatron, spread]) {
      for (const pricing of ["point-to-point", "collective"] as const) {
        const { sim, path } = pathOf(plan, pricing);
        expectContiguous(sim, path);
        if (plan === megatron) expect(path.some((p) => p.kind === "transfer")).toBe(true);
      }
    }
  });

  it("is empty for a timeline without tasks", () => {
    const { sim } = pathOf(makePlan(mlp(), { devices: ["d0"] }));
    const empty: Simulation = { ...sim, timeline: { ...sim.timeline, compute: [], transfers: [] } };
    expect(criticalPath(empty, deriveTaskGraph(makePlan(mlp(), { devices: ["d0"] })))).toEqual([]);
  });
});

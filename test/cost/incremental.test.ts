// The incremental API: a simulator derives neighbours of its plan (shards moved, an operation
// re-split) without touching itself, and each neighbour's plan is an ordinary plan.
import { describe, expect, it } from "vitest";
import { createSimulator, simulatePlan } from "../../src/cost/index.js";
import { program } from "../../src/frontend/index.js";
import { deriveTaskGraph, deviceNames, makePlan } from "../../src/plan/index.js";
import { gridSharding } from "../../src/shard/index.js";
import { expectTesseraError } from "../zspace/expect-error.js";
import { roundCluster } from "./clusters.js";

const prog = (() => {
  const p = program("inc");
  const h = p.matmul(p.input("x", [8, 16]), p.input("w", [16, 12]), { id: "mm" });
  p.output("y", p.relu(h, { id: "act" }));
  return p.build();
})();
const cluster = roundCluster();
const plan = makePlan(prog, {
  devices: deviceNames(4),
  splits: { mm: [{ dim: 2, parts: 2 }], act: [{ dim: 0, parts: 2 }] },
  placement: { mm: ["d0", "d1"], act: ["d0", "d1"] },
});

describe("neighbours of a plan", () => {
  const sim = createSimulator(plan, cluster);

  it("moves shards and keeps combines where they were unless told otherwise", () => {
    const withCombine = createSimulator(
      {
        ...plan,
        operations: plan.operations.map((o) => (o.op === "mm" ? { ...o, combineDevices: ["d3"] } : o)),
      },
      cluster,
    );
    const moved = withCombine.withPlacement("mm", ["d2", "d1"]);
    expect(moved.plan.operations[0]).toMatchObject({
      op: "mm",
      devices: ["d2", "d1"],
      combineDevices: ["d3"],
    });
    const told = withCombine.withPlacement("mm", ["d2", "d1"], ["d2"]);
    expect(told.plan.operations[0]!.combineDevices).toEqual(["d2"]);
    expect(deriveTaskGraph(told.plan).tasks.find((t) => t.id === "mm#combine#0")!.device).toBe("d2");
  });

  it("re-splits an operation round-robin over the devices it used, or onto the devices given", () => {
    const resplit = sim.withSharding("act", [{ dim: 1, parts: 4 }]);
    expect(resplit.plan.operations[1]).toMatchObject({ op: "act", devices: ["d0", "d1", "d0", "d1"] });
    expect(resplit.plan.operations[1]!.sharding.boundaries).toEqual([
      [0, 8],
      [0, 3, 6, 9, 12],
    ]);
    const given = sim.withSharding("act", [{ dim: 1, parts: 3 }], ["d3", "d2", "d1"]);
    expect(given.plan.operations[1]!.devices).toEqual(["d3", "d2", "d1"]);
    expect(given.simulate()).toEqual(simulatePlan(given.plan, cluster));
  });

  it("switches a split reduction between gather and reduce-scatter, as simulating that plan does", () => {
    const scattered = sim.withCombine("mm", "reduce-scatter");
    expect(scattered.plan.operations[0]).toMatchObject({
      op: "mm",
      devices: ["d0", "d1"],
      combine: "reduce-scatter",
    });
    expect(scattered.simulate()).toEqual(simulatePlan(scattered.plan, cluster));
    expect(scattered.simulate().timeline.compute.map((c) => `${c.task}@${c.device}`)).toContain(
      "mm#combine#0.1@d1",
    );
    // Re-split and moved, it stays scattered; back to gather, it equals the original plan.
    const resplit = scattered.withSharding("mm", [{ dim: 2, parts: 4 }]).withPlacement("act", ["d2", "d3"]);
    expect(resplit.plan.operations[0]!.combine).toBe("reduce-scatter");
    expect(resplit.cost()).toEqual(simulatePlan(resplit.plan, cluster).cost);
    expect(scattered.withCombine("mm", "gather").cost()).toEqual(sim.cost());
  });

  it("leaves the simulator it came from as it was", () => {
    const before = sim.simulate();
    const child = sim.withPlacement("act", ["d2", "d3"]).withSharding("mm", []);
    expect(child.cost()).not.toEqual(before.cost);
    expect(sim.simulate()).toEqual(before);
    expect(sim.plan).toBe(sim.plan);
    expect(sim.plan.operations.map((o) => o.devices)).toEqual([
      ["d0", "d1"],
      ["d0", "d1"],
    ]);
  });

  it("computes a cost vector once", () => {
    const child = sim.withPlacement("act", ["d1", "d0"]);
    expect(child.cost()).toBe(child.cost());
    expect(child.pricing).toBe("point-to-point");
    expect(child.cluster).toBe(cluster);
  });

  it("changes several operations in one step as simulating that plan does", () => {
    const op = (id: string) => prog.operations.find((o) => o.id === id)!;
    const both = sim.withOperationPlans([
      {
        op: "mm",
        sharding: gridSharding(op("mm"), [{ dim: 0, parts: 4 }]),
        devices: ["d3", "d2", "d1", "d0"],
      },
      { op: "act", sharding: gridSharding(op("act"), [{ dim: 1, parts: 2 }]), devices: ["d2", "d3"] },
    ]);
    expect(both.plan.operations.map((o) => o.devices)).toEqual([
      ["d3", "d2", "d1", "d0"],
      ["d2", "d3"],
    ]);
    expect(both.simulate()).toEqual(simulatePlan(both.plan, cluster));
    // Placement alone, and nothing at all.
    const moved = sim.withOperationPlans([{ ...sim.plan.operations[1]!, devices: ["d3", "d2"] }]);
    expect(moved.cost()).toEqual(simulatePlan(moved.plan, cluster).cost);
    expect(sim.withOperationPlans([])).toBe(sim);
  });

  it("within a piece limit, changes the plan when it reads at most that many pieces, else gives up", () => {
    const op = (id: string) => prog.operations.find((o) => o.id === id)!;
    const change = [
      {
        op: "mm",
        sharding: gridSharding(op("mm"), [{ dim: 1, parts: 4 }]),
        devices: ["d3", "d2", "d1", "d0"],
      },
    ];
    const full = sim.withOperationPlans(change);
    const pieces = full.pieceCount();
    expect(pieces).toBeGreaterThan(sim.pieceCount());
    const within = sim.withOperationPlansWithin(change, pieces);
    expect(within?.plan).toEqual(full.plan);
    expect(within?.cost()).toEqual(simulatePlan(full.plan, cluster).cost);
    expect(sim.withOperationPlansWithin(change, pieces - 1)).toBeUndefined();
    // A move derives no pieces: never refused.
    const moved = sim.withOperationPlansWithin([{ ...sim.plan.operations[1]!, devices: ["d3", "d2"] }], 0);
    expect(moved?.plan.operations[1]?.devices).toEqual(["d3", "d2"]);
  });

  it("refuses a change of an operation the program lacks (plan_mismatch)", () => {
    expectTesseraError(
      () => sim.withOperationPlans([{ ...sim.plan.operations[0]!, op: "nope" }]),
      "plan_mismatch",
    );
  });
});

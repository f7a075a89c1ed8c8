// A derived plan's schedule resumes from its parent's recorded one: the cost vector is bit for
// bit the changed plan's simulated from scratch, whether the neighbours are evaluated one after
// another from one parent (siblings overwrite the shared workspace), derived in chains before
// being evaluated, or derived from a plan that was itself derived. And it does resume: a change
// late in a chain skips the schedule's start. A parent's schedule is recorded for its second
// evaluated neighbour, not its first.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Cluster, presetCluster } from "../../src/cluster/index.js";
import { createSimulator, type Simulator } from "../../src/cost/index.js";
import { newTrace, resumeStats, TraceCache } from "../../src/cost/schedule-trace.js";
import { program } from "../../src/frontend/index.js";
import { deviceNames, makePlan } from "../../src/plan/index.js";
import { randomPlan } from "../plan/random-plans.js";
import { Dice, programAndDice, runs } from "../shard/random-programs.js";
import { loadedCluster } from "./clusters.js";
import { randomChange } from "./random-change.js";

const cluster = presetCluster("a100-8x8");

const fresh = (sim: Simulator, on = cluster) => createSimulator(sim.plan, on).cost();

describe("resuming a parent's schedule", () => {
  const siblingsChainsDescendants = (on: Cluster, maxDevices: number) => {
    const before = resumeStats.resumed;
    fc.assert(
      fc.property(
        programAndDice(12),
        fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 60 }),
        ({ program, dice }, rolls) => {
          const roll = new Dice(rolls);
          let sim = createSimulator(randomPlan(program, dice, { devices: 1 + roll.int(maxDevices) }), on);
          for (let step = 0; step < 3; step++) {
            sim.cost();
            // Siblings, evaluated in turn: each overwrites the workspace the next one compiles into.
            const siblings = Array.from({ length: 3 }, () => randomChange(sim, roll));
            for (const s of siblings) expect(s.cost()).toEqual(fresh(s, on));
            // A chain of changes evaluated only at its end.
            const chain = randomChange(randomChange(sim, roll), roll);
            expect(chain.cost()).toEqual(fresh(chain, on));
            sim = roll.oneIn(2) ? chain : siblings[roll.int(siblings.length)]!;
          }
        },
      ),
      { numRuns: runs(40) },
    );
    expect(resumeStats.resumed).toBeGreaterThan(before);
  };

  it("prices siblings, chains and descendants as simulating them afresh does", () => {
    siblingsChainsDescendants(cluster, 6);
  });

  it("does so too where tasks change rate with their host's load (running tasks' progress resumes)", () => {
    siblingsChainsDescendants(loadedCluster(2, 2), 4);
  });

  it("does so too where workers copy inputs before kernels (durations follow producers' placement)", () => {
    siblingsChainsDescendants(loadedCluster(2, 2, { copies: true }), 4);
  });

  it("skips the start of the schedule when the change comes late in derivation order", () => {
    const p = program("chain");
    let h = p.input("x", [64, 32]);
    for (let i = 0; i < 12; i++) h = p.relu(h, { id: `r${i}` });
    p.output("y", h);
    const prog = p.build();
    const plan = makePlan(prog, {
      devices: deviceNames(2),
      splits: Object.fromEntries(prog.operations.map((op) => [op.id, [{ dim: 0, parts: 2 }]])),
    });
    const sim = createSimulator(plan, cluster);
    sim.cost();
    // The first neighbour runs from the start: recording the parent's schedule waits for a second.
    const before = { ...resumeStats };
    const once = sim.withPlacement("r10", ["d1", "d0"]);
    expect(once.cost()).toEqual(fresh(once));
    expect(resumeStats.traces).toBe(before.traces);
    expect(resumeStats.resumed).toBe(before.resumed);
    const moved = sim.withPlacement("r11", ["d1", "d0"]);
    expect(moved.cost()).toEqual(fresh(moved));
    expect(resumeStats.traces).toBe(before.traces + 1);
    expect(resumeStats.resumed).toBe(before.resumed + 1);
    expect(resumeStats.skipped).toBeGreaterThan(before.skipped);
    // Later neighbours find the recorded schedule: no second recording.
    const again = sim.withPlacement("r9", ["d1", "d0"]);
    expect(again.cost()).toEqual(fresh(again));
    expect(resumeStats.traces).toBe(before.traces + 1);
    expect(resumeStats.resumed).toBe(before.resumed + 2);
    // A change to the first operation cannot resume: everything may differ from the start.
    const first = sim.withPlacement("r0", ["d1", "d0"]);
    expect(first.cost()).toEqual(fresh(first));
    expect(resumeStats.resumed).toBe(before.resumed + 2);
  });

  it("does not resume under collective pricing or an explicit order, and still prices them exactly", () => {
    const p = program("pair");
    const h = p.relu(p.input("x", [16, 8]), { id: "a" });
    p.output("y", p.relu(h, { id: "b" }));
    const prog = p.build();
    const plan = makePlan(prog, {
      devices: deviceNames(2),
      splits: { a: [{ dim: 0, parts: 2 }], b: [{ dim: 0, parts: 2 }] },
    });
    const before = resumeStats.runs;
    const ring = createSimulator(plan, cluster, { pricing: "collective" });
    ring.cost();
    const moved = ring.withPlacement("b", ["d1", "d0"]);
    expect(moved.cost()).toEqual(createSimulator(moved.plan, cluster, { pricing: "collective" }).cost());
    const ordered = createSimulator({ ...plan, order: defaultOrder(plan) }, cluster);
    ordered.cost();
    const reordered = ordered.withPlacement("b", ["d1", "d0"]);
    expect(reordered.cost()).toEqual(fresh(reordered));
    expect(resumeStats.runs).toBe(before);
  });
});

describe("the trace cache", () => {
  it("keeps the last four parents' schedules, the least recently used dropped first", () => {
    const cache = new TraceCache();
    const owners = Array.from({ length: 6 }, () => ({}));
    const traces = owners.map(() => newTrace());
    for (let i = 0; i < 4; i++) cache.put(owners[i]!, traces[i]!);
    expect(cache.get(owners[0]!)).toBe(traces[0]);
    cache.put(owners[4]!, traces[4]!);
    expect(cache.get(owners[1]!)).toBeUndefined();
    expect(cache.get(owners[0]!)).toBe(traces[0]);
    expect(cache.get(owners[4]!)).toBe(traces[4]);
    expect(cache.get(owners[5]!)).toBeUndefined();
  });
});

/** The plan's tasks in derivation order: an explicit order equal to the default one. */
function defaultOrder(plan: ReturnType<typeof makePlan>): string[] {
  const sim = createSimulator(plan, cluster).simulate();
  return sim.timeline.compute.map((c) => c.task);
}

// The coordinator's bookkeeping without threads: which device runs on which thread, what a
// device's store serves, and the schedule's promises — one task at a time per thread in graph
// order, nothing dispatched before what it reads exists, every task run, never a deadlock —
// checked over random plans with the completions arriving in random order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../../../src/base/random.js";
import { RegionStore } from "../../../src/exec/local/region-store.js";
import { Schedule, type ScheduleAction } from "../../../src/exec/local/schedule.js";
import { mapDevicesToThreads, type ThreadMap } from "../../../src/exec/local/thread-map.js";
import { zeroRegion } from "../../../src/kernels/region.js";
import { deriveTaskGraph, makePlan, type TaskGraph } from "../../../src/plan/index.js";
import { ZRange } from "../../../src/zspace/index.js";
import { thrown } from "../../support/thrown.js";
import { exampleProgram } from "./example-programs.js";

describe("mapDevicesToThreads", () => {
  it("deals devices round-robin over at most `cap` threads", () => {
    const map = mapDevicesToThreads(["d0", "d1", "d2", "d3"], 2);
    expect(map.threads).toBe(2);
    expect(map.devicesOf).toEqual([
      ["d0", "d2"],
      ["d1", "d3"],
    ]);
    expect(["d0", "d1", "d2", "d3"].map(map.threadOf)).toEqual([0, 1, 0, 1]);
  });

  it("uses one thread per device below the cap, and one thread for no devices", () => {
    expect(mapDevicesToThreads(["a", "b"], 8).devicesOf).toEqual([["a"], ["b"]]);
    expect(mapDevicesToThreads([], 4).devicesOf).toEqual([[]]);
  });

  it("refuses a device the plan does not list: unknown_device", () => {
    expect(thrown(() => mapDevicesToThreads(["d0"], 1).threadOf("d9"))).toMatchObject({
      code: "unknown_device",
    });
  });
});

describe("RegionStore", () => {
  const whole = zeroRegion("float32", ZRange.fromShape([4, 4]));
  whole.data.forEach((_, i) => {
    whole.data[i] = i;
  });

  it("serves any box inside a held region: the region itself when equal, else a copy", () => {
    const store = new RegionStore();
    store.put("i:x", whole);
    expect(store.get("i:x", whole.range)).toBe(whole);
    const part = store.get("i:x", ZRange.fromBounds([1, 2], [3, 4]));
    expect(Array.from(part.data)).toEqual([6, 7, 10, 11]);
  });

  it("throws when no held region of the source contains the box (a schedule bug, not user input)", () => {
    const store = new RegionStore();
    store.put("i:x", whole);
    expect(() => store.get("i:x", ZRange.fromShape([5, 4]))).toThrow(/not held here \(held: \[0:4, 0:4\)\)/);
    expect(() => store.get("i:y", whole.range)).toThrow(/held: nothing/);
  });
});

/**
 * Drives a schedule to the end, completing one outstanding action at a time in an order drawn
 * from `seed`, and checks every action when it is issued. Returns the tasks each thread ran.
 */
function simulate(graph: TaskGraph, map: ThreadMap, seed: number): string[][] {
  const rng = seededRng(seed);
  const schedule = new Schedule(graph, map);
  const done = new Set<string>();
  const arrived = new Set<number>();
  const sent = new Set<number>();
  const busy = new Set<number>();
  const ran: string[][] = map.devicesOf.map(() => []);
  const outstanding: ScheduleAction[] = [];
  const issue = (actions: readonly ScheduleAction[]) => {
    for (const a of actions) {
      if (a.kind === "send") {
        const t = a.transfer;
        expect(sent.has(t.id), `transfer ${t.id} sent twice`).toBe(false);
        if (t.source.kind === "task")
          expect(done.has(t.source.task), `transfer ${t.id} before its source`).toBe(true);
        sent.add(t.id);
      } else {
        const id = a.task.id;
        expect(busy.has(a.thread), `${id} dispatched to busy thread ${a.thread}`).toBe(false);
        expect(a.thread).toBe(map.threadOf(a.task.device));
        for (const d of graph.deps[id] ?? [])
          expect(done.has(d), `${id} before its dependency ${d}`).toBe(true);
        for (const p of graph.reads[id] ?? [])
          if (p.transfer !== null)
            expect(arrived.has(p.transfer), `${id} before transfer ${p.transfer}`).toBe(true);
        busy.add(a.thread);
        ran[a.thread]!.push(id);
      }
      outstanding.push(a);
    }
  };
  issue(schedule.start());
  while (outstanding.length > 0) {
    const [a] = outstanding.splice(rng.int(0, outstanding.length - 1), 1);
    if (a!.kind === "send") {
      arrived.add(a!.transfer.id);
      issue(schedule.transferArrived(a!.transfer.id));
    } else {
      done.add(a!.task.id);
      busy.delete(a!.thread);
      issue(schedule.taskDone(a!.task.id));
    }
  }
  expect(schedule.finished, `stalled after ${done.size} of ${graph.tasks.length} tasks`).toBe(true);
  expect(arrived.size).toBe(graph.transfers.length);
  return ran;
}

describe("Schedule", () => {
  const mlp = exampleProgram("mlp");

  it("starts the tasks that read nothing produced, one per thread", () => {
    const plan = makePlan(mlp, {
      devices: ["d0", "d1"],
      splits: { fc1: [{ dim: 1, parts: 2 }], act1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
    });
    const graph = deriveTaskGraph(plan);
    const start = new Schedule(graph, mapDevicesToThreads(plan.devices, 2)).start();
    expect(start.map((a) => (a.kind === "run" ? `${a.task.id}@${a.thread}` : a.kind))).toEqual([
      "fc1#0@0",
      "fc1#1@1",
    ]);
  });

  it("runs every task, each thread in graph order, for random plans, placements and completion orders", () => {
    const parts = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(
        fc.record({
          fc1: parts,
          act1: parts,
          fc2: parts,
          rows: fc.integer({ min: 1, max: 2 }),
          devices: fc.integer({ min: 1, max: 4 }),
          threads: fc.integer({ min: 1, max: 4 }),
          homes: fc.boolean(),
          seed: fc.integer(),
        }),
        (c) => {
          const devices = Array.from({ length: c.devices }, (_, i) => `d${i}`);
          const rng = seededRng(c.seed);
          const pick = () => devices[rng.int(0, devices.length - 1)]!;
          const splits = {
            fc1: [{ dim: 1, parts: c.fc1 }],
            act1: [{ dim: 1, parts: c.act1 }],
            fc2: [
              { dim: 0, parts: c.rows },
              { dim: 2, parts: c.fc2 },
            ],
          };
          const dealt = makePlan(mlp, { devices, splits });
          const plan = makePlan(mlp, {
            devices,
            splits,
            placement: Object.fromEntries(dealt.operations.map((o) => [o.op, o.devices.map(pick)])),
            inputs: mlp.inputs.map((tensor) => (c.homes ? { tensor, device: pick() } : { tensor })),
          });
          const graph = deriveTaskGraph(plan);
          const map = mapDevicesToThreads(devices, c.threads);
          const ran = simulate(graph, map, c.seed);
          map.devicesOf.forEach((_, thread) => {
            const expected = graph.tasks.filter((t) => map.threadOf(t.device) === thread).map((t) => t.id);
            expect(ran[thread]).toEqual(expected);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

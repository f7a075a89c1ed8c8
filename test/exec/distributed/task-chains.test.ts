import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChainGraph, chainFrom } from "../../../src/exec/distributed/task-chains.js";

const none = () => false;

/** fc1#0@d0 fc1#1@d1 act#0@d0 act#1@d1 fc2#0@d0 fc2#1@d1: rows split, nothing crosses devices. */
const rows: ChainGraph = {
  devices: ["d0", "d1", "d0", "d1", "d0", "d1"],
  deps: [[], [], [0], [1], [2], [3]],
  sendsTransfers: [false, false, false, false, false, false],
};

describe("chainFrom (which tasks one job runs)", () => {
  it("takes every task of a device that reads only from its chain and done tasks", () => {
    const done = rows.devices.map(() => false);
    expect(chainFrom(0, rows, done, none, 64)).toEqual([0, 2, 4]);
    expect(chainFrom(1, rows, done, none, 64)).toEqual([1, 3, 5]);
  });

  it("stops at the limit (1: a job per task)", () => {
    const done = rows.devices.map(() => false);
    expect(chainFrom(0, rows, done, none, 2)).toEqual([0, 2]);
    expect(chainFrom(0, rows, done, none, 1)).toEqual([0]);
  });

  it("ends after a task that sends a transfer, so no other device waits for the rest", () => {
    const sends = { ...rows, sendsTransfers: [false, false, true, false, false, false] };
    expect(
      chainFrom(
        0,
        sends,
        rows.devices.map(() => false),
        none,
        64,
      ),
    ).toEqual([0, 2]);
  });

  it("stops before a task that waits for another device or is queued already, never skipping it", () => {
    // Task 4 (d0) also reads task 1 (d1), not done: task 6 (d0, ready) must not run before it.
    const cross: ChainGraph = {
      devices: ["d0", "d1", "d0", "d1", "d0", "d1", "d0"],
      deps: [[], [], [0], [1], [2, 1], [3], []],
      sendsTransfers: [false, true, false, false, false, false, false],
    };
    const done = cross.devices.map(() => false);
    expect(chainFrom(0, cross, done, none, 64)).toEqual([0, 2]);
    expect(chainFrom(0, cross, done, (j) => j === 2, 64)).toEqual([0]);
    done[1] = true;
    expect(chainFrom(0, cross, done, none, 64)).toEqual([0, 2, 4, 6]);
  });

  it("skips the device's done tasks (after a recovery only some run again)", () => {
    const done = [false, false, true, false, false, false];
    expect(chainFrom(0, rows, done, none, 64)).toEqual([0, 4]);
  });

  it("is a run of one device's tasks in task order, each reading only done or earlier chained tasks", () => {
    const graphs = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.record({
        devices: fc.array(fc.constantFrom("d0", "d1", "d2"), { minLength: n, maxLength: n }),
        deps: fc.tuple(
          ...Array.from({ length: n }, (_, i) =>
            fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : 3 }),
          ),
        ),
        sendsTransfers: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        done: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        limit: fc.integer({ min: 1, max: 5 }),
      }),
    );
    fc.assert(
      fc.property(graphs, ({ devices, deps, sendsTransfers, done, limit }) => {
        const graph: ChainGraph = { devices, deps, sendsTransfers };
        const first = devices.findIndex((_, i) => !done[i] && deps[i]!.every((d) => done[d]));
        if (first < 0) return;
        const chain = chainFrom(first, graph, done, none, limit);
        expect(chain[0]).toBe(first);
        expect(chain.length).toBeLessThanOrEqual(limit);
        chain.forEach((t, k) => {
          expect(devices[t]).toBe(devices[first]);
          if (k > 0) {
            expect(t).toBeGreaterThan(chain[k - 1]!);
            expect(done[t]).toBe(false);
            expect(sendsTransfers[chain[k - 1]!]).toBe(false);
          }
          for (const d of deps[t]!) expect(done[d] || chain.slice(0, k).includes(d)).toBe(true);
        });
      }),
    );
  });
});

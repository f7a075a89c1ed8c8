import { describe, expect, it } from "vitest";
import type { Cluster, ExecutorOverheads } from "../../src/cluster/index.js";
import { createSimulator, type Simulation } from "../../src/cost/index.js";
import { program } from "../../src/frontend/index.js";
import { copyRuns, makePlan, type Plan } from "../../src/plan/index.js";
import { ZRange } from "../../src/zspace/index.js";
import { roundCluster, sameSeconds } from "./clusters.js";

const plain: ExecutorOverheads = {
  kind: "local",
  runStart: 0,
  runStartPerTask: 0,
  load: { bandwidth: 1e9, latency: 0 },
  taskDispatch: 0,
  fetch: { bandwidth: 1e9, latency: 0 },
  runEnd: 0,
};
const assemble = { bandwidth: 1e9, latency: 1e-5, perRun: 1e-7 };
const base = roundCluster(1, 2);
const on = (executor: ExecutorOverheads): Cluster => ({ ...base, executor });

/** Each task's duration with the copy terms less without them. */
function extra(plan: Plan, executor: ExecutorOverheads): Record<string, number> {
  const span = (s: Simulation) => new Map(s.timeline.compute.map((c) => [c.task, c.end - c.start]));
  const without = span(createSimulator(plan, on(plain)).simulate());
  const withCopies = span(createSimulator(plan, on(executor)).simulate());
  return Object.fromEntries([...withCopies].map(([task, d]) => [task, d - without.get(task)!]));
}

/** Expects each task's extra seconds to be as given (1e-12 relative). */
function expectExtra(found: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(found).sort()).toEqual(Object.keys(expected).sort());
  for (const [task, s] of Object.entries(expected)) {
    const ok = sameSeconds(found[task]!, s) || Math.abs(found[task]! - s) < 1e-15;
    expect(ok, `${task}: ${found[task]} vs ${s}`).toBe(true);
  }
}

describe("copyRuns", () => {
  const box = (start: number[], end: number[]) => ZRange.fromBounds(start, end);
  it("counts one run per row of a narrow box, one run for a box spanning its buffers' inner dimensions", () => {
    const wide = box([0, 0], [4, 64]);
    expect(copyRuns(box([0, 0], [4, 32]), wide, box([0, 0], [4, 32]))).toBe(4);
    expect(copyRuns(wide, wide, wide)).toBe(1);
    // A row block of a wide buffer is contiguous in both.
    expect(copyRuns(box([2, 0], [4, 64]), wide, box([2, 0], [4, 64]))).toBe(1);
    // Rank 3: the last two dimensions span both buffers, the first is cut.
    const cube = box([0, 0, 0], [4, 8, 8]);
    expect(copyRuns(box([1, 0, 0], [3, 8, 8]), cube, box([1, 0, 0], [3, 8, 8]))).toBe(1);
    expect(copyRuns(box([0, 0, 0], [4, 4, 8]), cube, box([0, 0, 0], [4, 4, 8]))).toBe(4);
  });
});

describe("input copies before a kernel (executor.assemble)", () => {
  const p = program("pair");
  const x = p.input("x", [64, 64]);
  p.output("y", p.relu(p.neg(x, { id: "n" }), { id: "r" }));
  const prog = p.build();
  const half = 32 * 64 * 4;
  const executor = { ...plain, assemble };

  it("prices an operand assembled from two pieces: two copies, one run each for row halves", () => {
    const plan = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { n: [{ dim: 0, parts: 2 }] },
      placement: { n: ["d0", "d0"], r: ["d0"] },
    });
    expectExtra(extra(plan, executor), {
      "n#0": 0,
      "n#1": 0,
      "r#0": 2 * (assemble.latency + half / assemble.bandwidth + assemble.perRun),
    });
  });

  it("prices column halves by their rows, and the cut of a local whole region once more", () => {
    const plan = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { n: [{ dim: 1, parts: 2 }], r: [{ dim: 1, parts: 2 }] },
      placement: { n: ["d0", "d1"], r: ["d1", "d1"] },
    });
    // r#0 reads n#0's output, transferred from d0: held as is, no copy. r#1 reads n#1's on d1: whole, no copy.
    expectExtra(extra(plan, executor), { "n#0": 0, "n#1": 0, "r#0": 0, "r#1": 0 });
    const regroup = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { n: [{ dim: 1, parts: 2 }] },
      placement: { n: ["d0", "d1"], r: ["d1"] },
    });
    // r reads two column halves into one buffer: 64 runs each.
    expectExtra(extra(regroup, executor), {
      "n#0": 0,
      "n#1": 0,
      "r#0": 2 * (assemble.latency + half / assemble.bandwidth + 64 * assemble.perRun),
    });
    const cut = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { r: [{ dim: 1, parts: 2 }] },
      placement: { n: ["d0"], r: ["d0", "d1"] },
    });
    // r#0 cuts its column half out of n's whole output on d0 (64 runs); r#1 receives its half as it is read.
    expectExtra(extra(cut, executor), {
      "n#0": 0,
      "r#0": assemble.latency + half / assemble.bandwidth + 64 * assemble.perRun,
      "r#1": 0,
    });
  });

  it("cuts a home input's piece out of the whole tensor on its home device only", () => {
    const plan = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { n: [{ dim: 0, parts: 2 }] },
      placement: { n: ["d0", "d1"], r: ["d0"] },
      inputs: [{ tensor: "x", device: "d0" }],
    });
    const found = extra(plan, executor);
    const copy = assemble.latency + half / assemble.bandwidth + assemble.perRun;
    expectExtra(found, { "n#0": copy, "n#1": 0, "r#0": 2 * copy });
  });

  it("adds the dispatch per output byte to every task", () => {
    const plan = makePlan(prog, { devices: ["d0", "d1"], placement: { n: ["d0"], r: ["d1"] } });
    const perByte = 1e-10;
    expectExtra(extra(plan, { ...plain, taskDispatchPerByte: perByte }), {
      "n#0": 2 * half * perByte,
      "r#0": 2 * half * perByte,
    });
  });

  it("costs nothing without the term", () => {
    const plan = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { n: [{ dim: 1, parts: 2 }] },
      placement: { n: ["d0", "d1"], r: ["d1"] },
    });
    expectExtra(extra(plan, plain), { "n#0": 0, "n#1": 0, "r#0": 0 });
  });
});

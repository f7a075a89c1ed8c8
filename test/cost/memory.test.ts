// Memory: live bytes per device over time. Program inputs count from the start (whole at home,
// the regions read where pre-distributed), a task's outputs from its start until their last
// reader is done, received pieces from arrival until their reader ends; program outputs stay.
import { describe, expect, it } from "vitest";
import { simulatePlan } from "../../src/cost/index.js";
import { program, type TensorProgram } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { deviceNames, makePlan, type PlanRequest } from "../../src/plan/index.js";
import { roundCluster } from "./clusters.js";

function build(body: (p: TensorProgram) => void): Program {
  const p = program("memory");
  body(p);
  return p.build();
}

const N = 1000;
const S = 4 * N;

function peaks(prog: Program, request: PlanRequest, memory?: number) {
  const cluster = memory === undefined ? roundCluster() : roundCluster(1, 4, { memory });
  return simulatePlan(makePlan(prog, request), cluster).cost;
}

describe("peak memory", () => {
  const chain = build((p) => {
    const a = p.relu(p.input("x", [N]), { id: "a" });
    const b = p.neg(a, { id: "b" });
    p.output("y", p.exp(b, { id: "c" }));
  });

  it("counts an input at home from the start and frees each intermediate after its last reader", () => {
    const cost = peaks(chain, { devices: ["d0"], inputs: [{ tensor: "x", device: "d0" }] });
    // x, then at worst two of a, b, y at once (b is allocated while a is still read).
    expect(cost.peakMemory).toEqual({ d0: S + 2 * S });
    expect(cost.maxPeakMemory).toBe(3 * S);
  });

  it("keeps program outputs to the end", () => {
    const tee = build((p) => {
      const a = p.relu(p.input("x", [N]), { id: "a" });
      p.output("a", a);
      p.output("y", p.exp(p.neg(a, { id: "b" }), { id: "c" }));
    });
    // x and a stay; b and y overlap while c runs.
    expect(peaks(tee, { devices: ["d0"] }).peakMemory).toEqual({ d0: 4 * S });
  });

  it("counts a pre-distributed input only where it is read, a home input whole at home", () => {
    const rows = build((p) => p.output("y", p.relu(p.input("x", [2, N]), { id: "r" })));
    const split = { r: [{ dim: 0, parts: 2 }] };
    const spread = peaks(rows, { devices: deviceNames(2), splits: split });
    expect(spread.peakMemory).toEqual({ d0: 2 * S, d1: 2 * S });
    const home = peaks(rows, {
      devices: deviceNames(2),
      splits: split,
      inputs: [{ tensor: "x", device: "d0" }],
    });
    // d0 holds all of x and its half of y; d1 receives the other half of x and writes its half of y.
    expect(home.peakMemory).toEqual({ d0: 3 * S, d1: 2 * S });
  });

  it("counts a pre-distributed region read by several shards once, and overlapping regions as their union", () => {
    const broadcast = build((p) =>
      p.output("y", p.add(p.input("a", [2, N]), p.input("x", [N]), { id: "y" })),
    );
    const cost = peaks(broadcast, {
      devices: deviceNames(1),
      splits: { y: [{ dim: 0, parts: 2 }] },
    });
    // a (2 rows) + x once + y (2 rows).
    expect(cost.peakMemory).toEqual({ d0: 2 * S + S + 2 * S });
    // A 1-D convolution with a 3-wide window: the halves read overlapping windows of x.
    const conv = build((p) =>
      p.output("y", p.conv2d(p.input("x", [1, 1, 1, 10]), p.input("w", [1, 1, 1, 3]), {}, { id: "cv" })),
    );
    const halves = peaks(conv, { devices: ["d0"], splits: { cv: [{ dim: 4, parts: 2 }] } });
    // x (10) + w (3) + y (8), not 4 + 4 reads of x plus a double-counted halo.
    expect(halves.peakMemory).toEqual({ d0: 4 * (10 + 3 + 8) });
  });

  it("counts a received piece from its arrival until its reader ends", () => {
    const chain2 = build((p) => p.output("y", p.neg(p.relu(p.input("x", [N]), { id: "a" }), { id: "b" })));
    const cost = peaks(chain2, {
      devices: deviceNames(2),
      placement: { a: ["d0"], b: ["d1"] },
      inputs: [{ tensor: "x", device: "d0" }],
    });
    // d0: x and a (kept until sent); d1: the received a and y.
    expect(cost.peakMemory).toEqual({ d0: 2 * S, d1: 2 * S });
    expect(cost.devicesUsed).toBe(2);
  });

  it("flags a plan over capacity as infeasible and still prices it fully", () => {
    const fits = peaks(chain, { devices: ["d0"] }, 3 * S);
    expect(fits.feasible).toBe(true);
    const over = peaks(chain, { devices: ["d0"] }, 3 * S - 1);
    expect(over).toMatchObject({ feasible: false, maxPeakMemory: 3 * S, peakMemory: { d0: 3 * S } });
    expect(over.makespan).toBe(fits.makespan);
  });

  it("reports every plan device, idle ones at zero, and counts only those used", () => {
    const cost = peaks(chain, { devices: deviceNames(3) });
    expect(cost.peakMemory).toEqual({ d0: 3 * S, d1: 0, d2: 0 });
    expect(cost.devicesUsed).toBe(1);
  });

  it("holds (n + 1)·S on the device gathering a split reduction, about 2·S on each when it is reduce-scattered", () => {
    // y = sum over the rows of x [4, N], one row (S bytes) pre-distributed on each device.
    const reduce = build((p) => p.output("y", p.sum(p.input("x", [4, N]), { dims: [0] }, { id: "r" })));
    const request: PlanRequest = { devices: deviceNames(4), splits: { r: [{ dim: 0, parts: 4 }] } };
    // Gathered on d0: its row, its partial, three partials received and the result.
    expect(peaks(reduce, request).peakMemory).toEqual({ d0: 6 * S, d1: 2 * S, d2: 2 * S, d3: 2 * S });
    // Scattered: each device its row, its partial, three quarter-chunks received and its reduced quarter.
    const scattered = peaks(reduce, { ...request, combine: "reduce-scatter" });
    expect(scattered.peakMemory).toEqual({ d0: 3 * S, d1: 3 * S, d2: 3 * S, d3: 3 * S });
  });
});

// Timelines computed by hand on a cluster with round figures (1 TFLOP/s, 100 GB/s memory, 1 µs
// launch; 10 GB/s + 1 µs links inside a host, 1 GB/s + 10 µs between hosts): what one task
// costs, what a transfer adds, how transfers share a port, and how a reduction over four
// devices is priced point-to-point and as a ring collective.
import { describe, expect, it } from "vitest";
import { type Simulation, simulatePlan } from "../../src/cost/index.js";
import { program, type TensorProgram } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { deviceNames, makePlan, type PlanRequest } from "../../src/plan/index.js";
import { FIG, roundCluster, roundSeconds, sameSeconds } from "./clusters.js";

function build(body: (p: TensorProgram) => void): Program {
  const p = program("hand");
  body(p);
  return p.build();
}

function simulate(prog: Program, request: PlanRequest, hosts = 1, perHost = 4, collective = false) {
  return simulatePlan(makePlan(prog, request), roundCluster(hosts, perHost), {
    pricing: collective ? "collective" : "point-to-point",
  });
}

function interval(sim: Simulation, task: string) {
  const c = sim.timeline.compute.find((i) => i.task === task);
  if (c === undefined) throw new Error(`no task ${task}`);
  return c;
}

function expectSeconds(found: number, expected: number) {
  expect(sameSeconds(found, expected), `${found} s, expected ${expected} s`).toBe(true);
}

const N = 1000;
/** Bytes of a float32 vector of N elements, and its time on an intra-host link. */
const S = 4 * N;
const SEND = S / FIG.intra.bandwidth;

describe("one task on one device", () => {
  it("a compute-bound matmul takes launch + FLOPs / peak", () => {
    const prog = build((p) =>
      p.output("c", p.matmul(p.input("a", [256, 256]), p.input("b", [256, 256]), { id: "mm" })),
    );
    const sim = simulate(prog, {
      devices: ["d0"],
      inputs: [
        { tensor: "a", device: "d0" },
        { tensor: "b", device: "d0" },
      ],
    });
    const flops = 2 * 256 ** 3;
    expectSeconds(sim.cost.makespan, FIG.launch + flops / FIG.peak);
    expect(sim.timeline.compute).toEqual([
      { task: "mm#0", device: "d0", start: 0, end: sim.cost.makespan, flops },
    ]);
    expect(sim.timeline.transfers).toEqual([]);
    expect(sim.cost).toMatchObject({
      devicesUsed: 1,
      feasible: true,
      bytesByLinkClass: { intra: 0, inter: 0 },
    });
  });

  it("a memory-bound relu takes launch + bytes / memory bandwidth", () => {
    const prog = build((p) => p.output("y", p.relu(p.input("x", [1024, 1024]), { id: "r" })));
    const sim = simulate(prog, { devices: ["d0"] });
    expectSeconds(sim.cost.makespan, FIG.launch + (2 * 4 * 1024 * 1024) / FIG.memoryBandwidth);
  });
});

describe("a chain over two devices", () => {
  const chain = build((p) => p.output("y", p.neg(p.relu(p.input("x", [N]), { id: "a" }), { id: "b" })));
  const request: PlanRequest = {
    devices: ["d0", "d1"],
    placement: { a: ["d0"], b: ["d1"] },
    inputs: [{ tensor: "x", device: "d0" }],
  };
  const step = roundSeconds(2 * N, 2 * S);

  it("costs compute + latency + bytes / bandwidth + compute inside a host", () => {
    const sim = simulate(chain, request);
    expectSeconds(sim.cost.makespan, step + FIG.intra.latency + SEND + step);
    expect(sim.timeline.transfers).toHaveLength(1);
    const t = sim.timeline.transfers[0]!;
    expect(t).toMatchObject({ id: 0, from: "d0", to: "d1", cls: "intra", bytes: S });
    expectSeconds(t.start, step);
    expectSeconds(t.end, step + SEND + FIG.intra.latency);
    expectSeconds(interval(sim, "b#0").start, t.end);
    expect(sim.cost.bytesByLinkClass).toEqual({ intra: S, inter: 0 });
  });

  it("and uses the slower inter-host link when the devices are on two hosts", () => {
    const sim = simulate(chain, request, 2, 1);
    expect(sim.timeline.devices).toEqual({ d0: "h0.d0", d1: "h1.d0" });
    expect(sim.timeline.transfers[0]).toMatchObject({ cls: "inter" });
    expectSeconds(sim.cost.makespan, step + FIG.inter.latency + S / FIG.inter.bandwidth + step);
    expect(sim.cost.bytesByLinkClass).toEqual({ intra: 0, inter: S });
  });
});

describe("transfers sharing a port", () => {
  // y = a + x, x broadcast: both shards of y read all of x from its home d0.
  const broadcast = build((p) => p.output("y", p.add(p.input("a", [2, N]), p.input("x", [N]), { id: "y" })));
  const fanOut = (to: string[], hosts = 1, perHost = 4) =>
    simulate(
      broadcast,
      {
        devices: deviceNames(hosts * perHost),
        splits: { y: [{ dim: 0, parts: 2 }] },
        placement: { y: to },
        inputs: [{ tensor: "x", device: "d0" }],
      },
      hosts,
      perHost,
    );

  it("two transfers out of one egress port take twice as long as one (first come, first served)", () => {
    const one = build((p) => p.output("y", p.add(p.input("a", [1, N]), p.input("x", [N]), { id: "y" })));
    const single = simulate(one, {
      devices: deviceNames(4),
      placement: { y: ["d1"] },
      inputs: [{ tensor: "x", device: "d0" }],
    });
    const [alone] = single.timeline.transfers;
    expectSeconds(alone!.end, SEND + FIG.intra.latency);
    const sim = fanOut(["d1", "d2"]);
    const [first, second] = sim.timeline.transfers;
    expect([first!.to, second!.to]).toEqual(["d1", "d2"]);
    expectSeconds(first!.start, 0);
    expectSeconds(first!.end, SEND + FIG.intra.latency);
    expectSeconds(second!.start, SEND);
    expectSeconds(second!.end, 2 * SEND + FIG.intra.latency);
    // The port is busy for the pair twice as long as for one transfer.
    expectSeconds(second!.end - FIG.intra.latency, 2 * (alone!.end - FIG.intra.latency));
  });

  it("two transfers into one ingress port queue the same way", () => {
    const gather = build((p) => p.output("y", p.add(p.input("u", [N]), p.input("v", [N]), { id: "y" })));
    const sim = simulate(gather, {
      devices: deviceNames(3),
      placement: { y: ["d0"] },
      inputs: [
        { tensor: "u", device: "d1" },
        { tensor: "v", device: "d2" },
      ],
    });
    const [u, v] = sim.timeline.transfers;
    expectSeconds(u!.end, SEND + FIG.intra.latency);
    expectSeconds(v!.start, SEND);
    expectSeconds(v!.end, 2 * SEND + FIG.intra.latency);
    expectSeconds(interval(sim, "y#0").start, v!.end);
  });

  it("the intra-host and inter-host ports of a device are separate", () => {
    const sim = fanOut(["d1", "d2"], 2, 2);
    const [intra, inter] = sim.timeline.transfers;
    expect([intra!.cls, inter!.cls]).toEqual(["intra", "inter"]);
    expectSeconds(intra!.start, 0);
    expectSeconds(inter!.start, 0);
    expectSeconds(inter!.end, S / FIG.inter.bandwidth + FIG.inter.latency);
  });
});

describe("a reduction split over four devices", () => {
  // y = sum over the rows of x [4, N]: one partial row per device, folded on d0.
  const devices = deviceNames(4);
  const split = { dim: 0, parts: 4 };
  const reduce = (after?: (p: TensorProgram, y: ReturnType<TensorProgram["input"]>) => void) =>
    build((p) => {
      const y = p.sum(p.input("x", [4, N]), { dims: [0] }, { id: "r" });
      if (after === undefined) p.output("y", y);
      else after(p, y);
    });
  const shardEnd = roundSeconds(2 * N, 2 * S);
  const combine = roundSeconds(3 * N, 5 * S);
  /** One ring step over four devices of an S-byte block inside a host. */
  const step = (3 / 4) * SEND + 3 * FIG.intra.latency;

  it("point-to-point: the three partials queue on the combine device's ingress port", () => {
    const sim = simulate(reduce(), { devices, splits: { r: [split] } });
    expect(sim.timeline.transfers.map((t) => `${t.from}→${t.to}`)).toEqual(["d1→d0", "d2→d0", "d3→d0"]);
    expectSeconds(interval(sim, "r#combine#0").start, shardEnd + 3 * SEND + FIG.intra.latency);
    expectSeconds(sim.cost.makespan, shardEnd + 3 * SEND + FIG.intra.latency + combine);
    expect(sim.timeline.collectives).toEqual([
      { kind: "reduce", devices, bytes: S, pricing: "point-to-point", transfers: [0, 1, 2] },
    ]);
  });

  it("as a collective, a reduce pipelined along the ring: S / B + (n − 1) · latency", () => {
    const sim = simulate(reduce(), { devices, splits: { r: [split] } }, 1, 4, true);
    expect(sim.timeline.collectives).toEqual([
      { kind: "reduce", devices, bytes: S, pricing: "ring", transfers: [0, 1, 2] },
    ]);
    expectSeconds(interval(sim, "r#combine#0").start, shardEnd + SEND + 3 * FIG.intra.latency);
    for (const t of sim.timeline.transfers) expect(t.collective).toBe(0);
    // The chain d1 → d2 → d3 → d0 carries the block over each of its three edges.
    expect(sim.cost.bytesByLinkClass).toEqual({ intra: 3 * S, inter: 0 });
  });

  // Every device then adds the whole y to its row of b: the result goes back to all four.
  const allReduce = reduce((p, y) => p.output("z", p.add(p.input("b", [4, N]), y, { id: "z" })));
  const allReducePlan: PlanRequest = { devices, splits: { r: [split], z: [split] } };

  it("partials in, the whole result back out to the same devices: an all-reduce", () => {
    const p2p = simulate(allReduce, allReducePlan);
    expect(p2p.timeline.collectives.map((c) => c.kind)).toEqual(["all-reduce"]);
    const end = interval(p2p, "r#combine#0").end;
    const back = p2p.timeline.transfers.filter((t) => t.from === "d0" && t.bytes === S && t.start >= end);
    expect(back.map((t) => t.to)).toEqual(["d1", "d2", "d3"]);
    expectSeconds(back[2]!.end, end + 3 * SEND + FIG.intra.latency);
  });

  it("priced as a ring all-reduce: 2 (n − 1)/n · S/B + 2 (n − 1) · latency, the fold in between", () => {
    const sim = simulate(allReduce, allReducePlan, 1, 4, true);
    expect(sim.timeline.collectives).toEqual([
      { kind: "all-reduce", devices, bytes: S, pricing: "ring", transfers: [0, 1, 2, 3, 4, 5] },
    ]);
    const fold = interval(sim, "r#combine#0");
    expectSeconds(fold.start, shardEnd + step);
    for (const k of [1, 2, 3]) expectSeconds(interval(sim, `z#${k}`).start, fold.end + step);
    // Communication alone: the ring all-reduce formula.
    const ring = 2 * (3 / 4) * (S / FIG.intra.bandwidth) + 2 * 3 * FIG.intra.latency;
    expectSeconds(interval(sim, "z#1").start - shardEnd - (fold.end - fold.start), ring);
    expect(sim.cost.bytesByLinkClass).toEqual({ intra: 2 * 4 * (3 / 4) * S, inter: 0 });
  });

  it("a ring across two hosts runs at the inter-host bandwidth and latency", () => {
    const sim = simulate(allReduce, allReducePlan, 2, 2, true);
    const fold = interval(sim, "r#combine#0");
    const slow = (3 / 4) * (S / FIG.inter.bandwidth) + 3 * FIG.inter.latency;
    expectSeconds(fold.start, shardEnd + slow);
    expectSeconds(interval(sim, "z#3").start, fold.end + slow);
    // Ring h0.d0 → h0.d1 → h1.d0 → h1.d1 → h0.d0: two edges inside a host, two between.
    expect(sim.cost.bytesByLinkClass).toEqual({ intra: 2 * 2 * (3 / 4) * S, inter: 2 * 2 * (3 / 4) * S });
  });

  it("partials in, a quarter of the result to each: a reduce-scatter, one ring step", () => {
    const rs = reduce((p, y) => p.output("z", p.relu(y, { id: "z" })));
    const plan: PlanRequest = { devices, splits: { r: [split], z: [split] } };
    const p2p = simulate(rs, plan);
    expect(p2p.timeline.collectives.map((c) => [c.kind, c.pricing])).toEqual([
      ["reduce-scatter", "point-to-point"],
    ]);
    const sim = simulate(rs, plan, 1, 4, true);
    const fold = interval(sim, "r#combine#0");
    expectSeconds(fold.start, shardEnd + step);
    // The pieces are where the ring left them when the fold ends.
    for (const k of [1, 2, 3]) expectSeconds(interval(sim, `z#${k}`).start, fold.end);
    expect(sim.cost.makespan).toBeLessThan(p2p.cost.makespan);
  });

  it("planned as a reduce-scatter: one ring step, then each device folds its own quarter", () => {
    const request: PlanRequest = { devices, splits: { r: [split] }, combine: "reduce-scatter" };
    const p2p = simulate(reduce(), request);
    // Each device sends its three other quarters and receives three: (n − 1)/n · S per port.
    expect(p2p.timeline.transfers).toHaveLength(12);
    expect(p2p.timeline.collectives).toMatchObject([
      { kind: "reduce-scatter", devices, bytes: S, pricing: "point-to-point" },
    ]);
    const sim = simulate(reduce(), request, 1, 4, true);
    expect(sim.timeline.collectives).toEqual([
      { kind: "reduce-scatter", devices, bytes: S, pricing: "ring", transfers: [...Array(12).keys()] },
    ]);
    const quarter = roundSeconds((3 * N) / 4, (5 * S) / 4);
    for (const k of [0, 1, 2, 3]) {
      const fold = interval(sim, `r#combine#0.${k}`);
      expect(sim.timeline.compute.find((c) => c.task === `r#combine#0.${k}`)?.device).toBe(`d${k}`);
      expectSeconds(fold.start, shardEnd + step);
      expectSeconds(fold.end, shardEnd + step + quarter);
    }
    expectSeconds(sim.cost.makespan, shardEnd + step + quarter);
    // Each ring edge carries (n − 1)/n · S.
    expect(sim.cost.bytesByLinkClass).toEqual({ intra: 4 * (3 / 4) * S, inter: 0 });
  });

  it("blocks written on four devices, each read whole by all four: an all-gather, one ring step", () => {
    const ag = build((p) => {
      const r = p.relu(p.input("x", [N]), { id: "r" });
      p.output("z", p.add(p.input("b", [4, N]), r, { id: "z" }));
    });
    const plan: PlanRequest = { devices, splits: { r: [split], z: [split] } };
    const p2p = simulate(ag, plan);
    expect(p2p.timeline.transfers).toHaveLength(12);
    expect(p2p.timeline.collectives).toMatchObject([
      { kind: "all-gather", bytes: S, pricing: "point-to-point" },
    ]);
    const sim = simulate(ag, plan, 1, 4, true);
    const produced = interval(sim, "r#0").end;
    for (const t of sim.timeline.transfers) {
      expectSeconds(t.start, produced);
      expectSeconds(t.end, produced + step);
    }
  });
});

import { describe, expect, it } from "vitest";
import { presetCluster } from "../../src/cluster/index.js";
import { simulatePlan } from "../../src/cost/index.js";
import { loadProgramFile, program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { deriveTaskGraph, makePlan, type Plan } from "../../src/plan/index.js";
import { criticalPath, devicePalette, formatSeconds, timelineSvg } from "../../src/report/index.js";
import { dataParallelMlp } from "./programs.js";
import { byClass, parseXml, shownText, titleOf, type XmlElement } from "./xml.js";

const cluster = presetCluster("dgx-a100");

/** The MLP example Megatron-style over four devices, `x` at home on d0: fc2's partials are reduced. */
function megatron(): Plan {
  return makePlan(loadProgramFile("examples/mlp.json", builtinRegistry()), {
    devices: ["d0", "d1", "d2", "d3"],
    splits: { fc1: [{ dim: 1, parts: 4 }], act1: [{ dim: 1, parts: 4 }], fc2: [{ dim: 2, parts: 4 }] },
    inputs: [{ tensor: "x", device: "d0" }],
  });
}

function draw(plan: Plan, opts: Parameters<typeof timelineSvg>[1] = {}) {
  const sim = simulatePlan(plan, cluster, { pricing: "collective" });
  const graph = deriveTaskGraph(plan);
  const svg = parseXml(timelineSvg(sim, { graph, ...opts }));
  return { sim, graph, svg };
}

const inChart = (svg: XmlElement, k: number) => byClass(svg, "chart")[k]!;

describe("timelineSvg", () => {
  it("draws one lane per device and per link class a device sends over", () => {
    const { sim, svg } = draw(megatron());
    const lanes = byClass(svg, "lane");
    const links = new Set(sim.timeline.transfers.map((x) => `${x.from} ${x.cls}`));
    expect(lanes).toHaveLength(4 + links.size);
    expect(
      lanes.filter((l) => l.attrs["data-kind"] === "compute").map((l) => l.attrs["data-device"]),
    ).toEqual(["d0", "d1", "d2", "d3"]);
    const linkLanes = lanes.filter((l) => l.attrs["data-kind"] !== "compute");
    expect(new Set(linkLanes.map((l) => `${l.attrs["data-device"]} ${l.attrs["data-kind"]}`))).toEqual(links);
  });

  it("draws one bar per compute interval and per transfer, coloured by device", () => {
    const { sim, svg } = draw(megatron());
    const tasks = byClass(svg, "compute");
    expect(tasks.map((r) => r.attrs["data-task"]).sort()).toEqual(
      sim.timeline.compute.map((c) => c.task).sort(),
    );
    expect(tasks.every((r) => r.name === "rect")).toBe(true);
    const palette = devicePalette(["d0", "d1", "d2", "d3"]);
    for (const r of tasks) expect(r.attrs.fill).toBe(palette.get(r.attrs["data-device"]!)!.fill);
    const sent = byClass(svg, "transfer");
    expect(sent.map((r) => Number(r.attrs["data-transfer"])).sort((a, b) => a - b)).toEqual(
      sim.timeline.transfers.map((x) => x.id).sort((a, b) => a - b),
    );
  });

  it("marks the critical path's bars, as many as it has items", () => {
    const { sim, graph, svg } = draw(megatron());
    const path = criticalPath(sim, graph);
    const marked = byClass(svg, "critical");
    expect(marked).toHaveLength(path.length);
    expect(marked.map((r) => r.attrs["data-task"] ?? `x${r.attrs["data-transfer"]}`).sort()).toEqual(
      path.map((p) => (p.kind === "compute" ? p.interval.task : `x${p.interval.id}`)).sort(),
    );
    expect(marked.some((r) => r.attrs.class!.includes("transfer"))).toBe(true);
    expect(byClass(svg, "critical-link")).toHaveLength(1);
    // Without the task graph there is no path to mark.
    const plain = parseXml(timelineSvg(sim));
    expect(byClass(plain, "critical")).toHaveLength(0);
  });

  it("gives every bar a tooltip: what, where, when, and flops or bytes; collectives named", () => {
    const { sim, svg } = draw(megatron());
    const fc1 = byClass(svg, "compute").find((r) => r.attrs["data-task"] === "fc1#1")!;
    const c = sim.timeline.compute.find((x) => x.task === "fc1#1")!;
    expect(titleOf(fc1)).toContain(
      `fc1#1 on d1 (node0.d1): ${formatSeconds(c.start)} – ${formatSeconds(c.end)}`,
    );
    expect(titleOf(fc1)).toMatch(/MFLOP/);
    for (const r of byClass(svg, "transfer"))
      expect(titleOf(r)).toMatch(/d\d → d\d \(intra-host\), \d+(\.\d)? [KM]iB: /);
    const collective = byClass(svg, "collective");
    expect(sim.timeline.collectives.map((k) => k.kind)).toEqual(["reduce"]);
    expect(collective.length).toBe(sim.timeline.collectives[0]!.transfers.length);
    for (const r of collective) expect(titleOf(r)).toContain("part of reduce over d0, d1, d2, d3");
  });

  it("labels the time axis with 1-2-5 ticks up to the makespan", () => {
    const { sim, svg } = draw(megatron());
    const labels = byClass(svg, "tick-label").map((t) => t.text);
    expect(labels.slice(0, 3)).toEqual(["0 s", "5.00 µs", "10.0 µs"]);
    expect(byClass(svg, "end-label")[0]!.text).toBe(`makespan ${formatSeconds(sim.cost.makespan)}`);
  });

  it("draws a program of one tiny op: one lane, one bar on the critical path, no transfers", () => {
    const p = program("tiny");
    p.output("y", p.relu(p.input("x", [1]), { id: "r" }));
    const { svg } = draw(makePlan(p.build(), { devices: ["d0"] }));
    expect(byClass(svg, "lane")).toHaveLength(1);
    expect(byClass(svg, "compute")).toHaveLength(1);
    expect(byClass(svg, "transfer")).toHaveLength(0);
    expect(byClass(svg, "critical")).toHaveLength(1);
    expect(byClass(svg, "tick-label").length).toBeGreaterThan(1);
  });

  it("merges bars into busy spans past maxBars, keeping every item counted and the critical path", () => {
    const plan = dataParallelMlp(16);
    const full = draw(plan);
    expect(byClass(full.svg, "span")).toHaveLength(0);
    const { sim, graph, svg } = draw(plan, { maxBars: 8 });
    const spans = byClass(svg, "span");
    expect(spans.length).toBeGreaterThan(0);
    const counted = (kinds: readonly string[]) =>
      spans
        .filter((r) => kinds.includes(r.attrs["data-kind"]!))
        .reduce((n, r) => n + Number(r.attrs["data-count"]), 0);
    for (const r of spans) {
      expect(Number(r.attrs["data-count"])).toBeGreaterThan(1);
      expect(titleOf(r)).toMatch(
        /^\d+ (tasks on d\d|transfers sent by d\d over intra-host links) \(.*\): .* busy /,
      );
    }
    // Every task and transfer is drawn, alone or counted in one span.
    const tasks = byClass(svg, "compute");
    const sent = byClass(svg, "transfer");
    expect(counted(["compute"]) + tasks.length).toBe(sim.timeline.compute.length);
    expect(counted(["intra", "inter"]) + sent.length).toBe(sim.timeline.transfers.length);
    expect(spans.length + tasks.length + sent.length).toBeLessThan(
      byClass(full.svg, "compute").length + byClass(full.svg, "transfer").length,
    );
    // The critical path is still drawn item by item, on top.
    expect(byClass(svg, "critical")).toHaveLength(criticalPath(sim, graph).length);
    expect(shownText(svg)).toContain("merged into busy spans");
    expect(shownText(svg)).toContain("busy span:");
  });

  it("adds a measured chart below with its own axis and one lane per device", () => {
    const plan = megatron();
    const sim = simulatePlan(plan, cluster);
    const measured = {
      compute: sim.timeline.compute.map((c) => ({ ...c, start: 3 * c.start, end: 3 * c.end + 1e-6 })),
    };
    const { svg } = draw(plan, { measured });
    expect(byClass(svg, "chart")).toHaveLength(2);
    expect(byClass(svg, "axis")).toHaveLength(2);
    const second = inChart(svg, 1);
    expect(byClass(second, "lane")).toHaveLength(4);
    expect(byClass(second, "measured")).toHaveLength(measured.compute.length);
    expect(byClass(second, "measured").every((r) => titleOf(r)?.includes("measured"))).toBe(true);
    const end = Math.max(...measured.compute.map((c) => c.end));
    expect(byClass(second, "end-label")[0]!.text).toBe(`end ${formatSeconds(end)}`);
    expect(byClass(inChart(svg, 0), "measured")).toHaveLength(0);
  });
});

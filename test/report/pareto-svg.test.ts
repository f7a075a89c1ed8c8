import { describe, expect, it } from "vitest";
import type { CostVector } from "../../src/cost/index.js";
import {
  axisFraction,
  formatAxisValue,
  formatBytes,
  type ParetoPoint,
  paretoSvg,
  plotAxis,
  trafficColour,
} from "../../src/report/index.js";
import { sampleResult } from "./sample-results.js";
import { byClass, findAll, parseXml, shownText, titleOf, type XmlElement } from "./xml.js";

function cost(makespan: number, memory: number, traffic = 0, feasible = true): CostVector {
  return {
    makespan,
    peakMemory: { d0: memory },
    maxPeakMemory: memory,
    bytesByLinkClass: { intra: traffic, inter: 0 },
    devicesUsed: 1,
    feasible,
  };
}

/** The points of the MLP sample result: its front and baselines. */
function mlpPoints(): ParetoPoint[] {
  const r = sampleResult("mlp");
  return [
    ...r.front.map((s, i) => ({
      id: `f${i + 1}`,
      name: s.name,
      role: "front" as const,
      cost: s.cost,
      chosen: i === r.chosen,
    })),
    ...r.baselines.map((s, i) => ({
      id: `b${i + 1}`,
      name: s.name,
      role: "baseline" as const,
      cost: s.cost,
    })),
  ];
}

const points = (svg: XmlElement) => byClass(svg, "point");

describe("paretoSvg", () => {
  it("draws one focusable point per plan, shaped by role, keyed by data-plan", () => {
    const ps = mlpPoints();
    const svg = parseXml(paretoSvg(ps));
    const drawn = points(svg);
    expect(drawn.map((p) => p.attrs["data-plan"]).sort()).toEqual(ps.map((p) => p.id).sort());
    expect(drawn.every((p) => p.attrs.tabindex === "0" && p.attrs.role === "button")).toBe(true);
    const shape = (p: XmlElement) => findAll(p, (e) => (e.attrs.class ?? "").includes("mark"))[0]!.name;
    expect(byClass(svg, "front").map(shape)).toEqual(
      Array(ps.filter((p) => p.role === "front").length).fill("circle"),
    );
    expect(byClass(svg, "baseline").map(shape)).toEqual(["rect", "rect", "rect"]);
    // Every point's tooltip names the plan and each objective in readable units.
    for (const p of drawn) {
      const title = titleOf(p)!;
      expect(title).toContain(p.attrs["data-name"]!);
      expect(title).toMatch(/makespan [\d.]+ µs · peak memory [\d.]+ KiB · traffic/);
    }
  });

  it("rings the chosen plan and labels it, and names every baseline", () => {
    const svg = parseXml(paretoSvg(mlpPoints()));
    expect(byClass(svg, "chosen")).toHaveLength(1);
    expect(byClass(svg, "chosen-ring")).toHaveLength(1);
    const labels = byClass(svg, "point-label").map((l) => l.text);
    expect(labels).toContain("front-1 (chosen)");
    expect(labels).toEqual(expect.arrayContaining(["single-device", "data-parallel", "megatron"]));
  });

  it("has axes with ticks in readable units, titles and grid lines", () => {
    const svg = parseXml(paretoSvg(mlpPoints()));
    const ticks = (axis: string) => byClass(svg, "tick").filter((t) => t.attrs["data-axis"] === axis);
    expect(ticks("x").length).toBeGreaterThanOrEqual(3);
    expect(ticks("y").length).toBeGreaterThanOrEqual(3);
    const labels = byClass(svg, "tick-label");
    expect(labels.filter((l) => l.attrs["data-axis"] === "x").every((l) => / (µs|ms|s)$/.test(l.text))).toBe(
      true,
    );
    expect(
      labels.filter((l) => l.attrs["data-axis"] === "y").every((l) => / (B|KiB|MiB)$/.test(l.text)),
    ).toBe(true);
    expect(byClass(svg, "axis-title").map((t) => t.text)).toEqual([
      "makespan (simulated) →",
      "peak memory, largest device →",
    ]);
    expect(byClass(svg, "grid").length).toBe(ticks("x").length + ticks("y").length);
  });

  it("colours points by traffic on a light-to-dark scale and explains it in a legend", () => {
    const ps = mlpPoints();
    const svg = parseXml(paretoSvg(ps));
    const fill = (id: string) =>
      findAll(points(svg).find((p) => p.attrs["data-plan"] === id)!, (e) => e.attrs.class === "mark")[0]!
        .attrs.fill;
    const traffic = ps.map((p) => p.cost.bytesByLinkClass.intra + p.cost.bytesByLinkClass.inter);
    const least = ps[traffic.indexOf(Math.min(...traffic))]!.id;
    const most = ps[traffic.indexOf(Math.max(...traffic))]!.id;
    expect(fill(least)).toBe(trafficColour(0));
    expect(fill(most)).toBe(trafficColour(1));
    const legend = byClass(svg, "legend")[0]!;
    expect(shownText(legend)).toContain("front plan");
    expect(shownText(legend)).toContain("baseline");
    expect(shownText(legend)).toContain("chosen plan");
    expect(shownText(legend)).toContain("traffic (bytes moved)");
    expect(byClass(svg, "colour-bar")).toHaveLength(1);
    // The bar spans the plans' traffic: from the least to the most bytes moved.
    expect(byClass(svg, "colour-bar-label").map((l) => l.text)).toEqual([
      formatBytes(Math.min(...traffic)),
      formatBytes(Math.max(...traffic)),
    ]);
    expect(Math.max(...traffic)).toBeGreaterThan(Math.min(...traffic));
  });

  it("joins the front plans no other beats in both drawn objectives with a step line", () => {
    const ps: ParetoPoint[] = [
      { id: "a", name: "a", role: "front", cost: cost(1e-5, 4096) },
      { id: "b", name: "b", role: "front", cost: cost(2e-5, 2048) },
      // Beaten in makespan and memory by `b` (on the front only for its traffic).
      { id: "c", name: "c", role: "front", cost: cost(3e-5, 3072, 0) },
      { id: "d", name: "d", role: "front", cost: cost(4e-5, 1024) },
    ];
    const path = byClass(parseXml(paretoSvg(ps)), "front-line")[0]!.attrs.d!;
    expect(path.match(/[MHV]/g)).toEqual(["M", "H", "V", "H", "V"]);
  });

  it("marks the lower bound on the axis, with the impossible region left of it", () => {
    const svg = parseXml(
      paretoSvg([{ id: "a", name: "a", role: "front", cost: cost(2e-5, 4096) }], {
        lowerBound: { seconds: 1.6e-5 },
      }),
    );
    const bound = byClass(svg, "lower-bound")[0]!;
    expect(bound.attrs["data-seconds"]).toBe("0.000016");
    expect(byClass(svg, "impossible")).toHaveLength(1);
    expect(shownText(bound)).toBe("lower bound 16.0 µs");
  });

  it("marks a lower bound far left of every plan at the axis's edge instead of squeezing the plot", () => {
    const svg = parseXml(
      paretoSvg([{ id: "a", name: "a", role: "front", cost: cost(1e-4, 4096) }], {
        lowerBound: { seconds: 5e-6 },
      }),
    );
    expect(byClass(svg, "off-axis")).toHaveLength(1);
    expect(shownText(byClass(svg, "off-axis")[0]!)).toBe("lower bound 5.00 µs (off the axis, to the left)");
    const xTicks = byClass(svg, "tick")
      .filter((t) => t.attrs["data-axis"] === "x")
      .map((t) => Number(t.attrs["data-value"]));
    expect(Math.min(...xTicks)).toBeGreaterThan(5e-6);
  });

  it("outlines infeasible plans in red, draws the memory capacity and says so in the legend", () => {
    const r = sampleResult("mlp", { memoryBytes: 500_000 });
    const ps: ParetoPoint[] = r.front.map((s, i) => ({
      id: `f${i}`,
      name: s.name,
      role: "front",
      cost: s.cost,
    }));
    const svg = parseXml(paretoSvg(ps, { memoryCapacity: 500_000 }));
    const infeasible = byClass(svg, "infeasible");
    expect(infeasible.map((p) => p.attrs["data-plan"])).toEqual(
      ps.filter((p) => !p.cost.feasible).map((p) => p.id),
    );
    expect(infeasible.length).toBeGreaterThan(0);
    expect(byClass(svg, "capacity")[0]!.attrs["data-bytes"]).toBe("500000");
    expect(shownText(byClass(svg, "legend")[0]!)).toContain("infeasible (over memory)");
  });

  it("leaves out the capacity line when every plan is far below it", () => {
    expect(byClass(parseXml(paretoSvg(mlpPoints(), { memoryCapacity: 80 * 2 ** 30 })), "capacity")).toEqual(
      [],
    );
  });

  it("draws the ILP optimum as a diamond", () => {
    const svg = parseXml(
      paretoSvg([{ id: "o", name: "ilp-optimum", role: "optimum", cost: cost(1e-5, 2048) }]),
    );
    const mark = findAll(byClass(svg, "optimum")[0]!, (e) => e.attrs.class === "mark")[0]!;
    expect(mark.name).toBe("path");
    expect(mark.attrs.d).toMatch(/^M.*L.*L.*L.*Z$/);
    expect(shownText(byClass(svg, "legend")[0]!)).toContain("ILP optimum");
  });
});

describe("plotAxis", () => {
  it("is linear with round 1-2-5 steps for close makespans, covering every value", () => {
    const a = plotAxis([2.04e-5, 2.76e-5], "seconds");
    expect(a.scale).toBe("linear");
    expect(a.lo).toBeLessThanOrEqual(2.04e-5);
    expect(a.hi).toBeGreaterThanOrEqual(2.76e-5);
    const steps = a.ticks.slice(1).map((t, k) => t - a.ticks[k]!);
    expect(new Set(steps.map((s) => s.toPrecision(6))).size).toBe(1);
    const mantissa = steps[0]! / 10 ** Math.floor(Math.log10(steps[0]!));
    expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
  });

  it("steps bytes by powers of two so that labels stay round", () => {
    const a = plotAxis([279_296, 952_832], "bytes");
    expect(a.scale).toBe("linear");
    const step = a.ticks[1]! - a.ticks[0]!;
    expect(Math.log2(step) % 1).toBe(0);
    expect(
      a.ticks.map((t) => formatAxisValue("bytes", t)).every((l) => /^\d+(\.\d)? (B|KiB|MiB)$/.test(l)),
    ).toBe(true);
  });

  it("turns logarithmic when values span more than 30×, ticks within the range", () => {
    const a = plotAxis([1e-6, 5e-3], "seconds");
    expect(a.scale).toBe("log");
    expect(a.ticks.every((t) => t >= a.lo && t <= a.hi)).toBe(true);
    expect(axisFraction(a, a.lo)).toBeCloseTo(0);
    expect(axisFraction(a, a.hi)).toBeCloseTo(1);
    expect(axisFraction(a, 1e-6)).toBeLessThan(axisFraction(a, 1e-5));
    const b = plotAxis([1024, 2 ** 30], "bytes");
    expect(b.scale).toBe("log");
    expect(b.ticks.every((t) => Math.log2(t) % 1 === 0)).toBe(true);
    expect(b.ticks.length).toBeLessThanOrEqual(7);
  });

  it("gives a single value a span around it, and zero a unit span", () => {
    const a = plotAxis([3e-5], "seconds");
    expect(a.lo).toBeLessThan(3e-5);
    expect(a.hi).toBeGreaterThan(3e-5);
    const z = plotAxis([0], "bytes");
    expect(z.lo).toBe(0);
    expect(z.hi).toBeGreaterThan(0);
  });

  it("labels round tick values without trailing zeros", () => {
    expect(formatAxisValue("seconds", 2e-5)).toBe("20 µs");
    expect(formatAxisValue("seconds", 2.5e-5)).toBe("25 µs");
    expect(formatAxisValue("seconds", 1.2)).toBe("1.2 s");
    expect(formatAxisValue("seconds", 0)).toBe("0 s");
    expect(formatAxisValue("bytes", 262_144)).toBe("256 KiB");
  });
});

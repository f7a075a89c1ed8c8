import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGptStack, GPT2_SMALL } from "../../examples/gpt-stack.js";
import { buildMlpTrain } from "../../examples/mlp-train.js";
import { presetCluster } from "../../src/cluster/index.js";
import { deriveTaskGraph, makePlan } from "../../src/plan/index.js";
import { htmlReport, writeHtmlReport } from "../../src/report/index.js";
import { hybridPlan } from "../../src/search/index.js";
import type { SearchResult } from "../../src/search/result/search-result.js";
import { expectTesseraError } from "../zspace/expect-error.js";
import { megatronMlp } from "./programs.js";
import { sampleResult } from "./sample-results.js";
import { byClass, parseXml, titleOf } from "./xml.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-html-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `<svg>…</svg>` pictures of an HTML page, in order. */
function svgsOf(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

/** The `<article class="plan-detail">` sections of a page, by `data-plan`. */
function articlesOf(html: string): Map<string, string> {
  return new Map(
    [...html.matchAll(/<article class="plan-detail" id="plan-([^"]+)"[\s\S]*?<\/article>/g)].map((m) => [
      m[1]!,
      m[0],
    ]),
  );
}

/** The MLP sample with an ILP optimum, so that every kind of point appears. */
function result(): SearchResult {
  const r = sampleResult("mlp");
  return {
    ...r,
    optimum: {
      status: "optimal",
      seconds: 0.2,
      plan: { ...r.front[1]!, name: "ilp-optimum" },
      objective: 2e-5,
    },
  };
}

describe("htmlReport of a search result", () => {
  let html = "";
  const r = result();
  beforeAll(async () => {
    html = await htmlReport(r, { source: "result.json" });
  });

  it("is one HTML document with its style and script inline and nothing fetched", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|<img |@import|url\(["']?https?:/);
    // The only absolute URLs are XML namespace names, which browsers never fetch.
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"]));
    expect(html).not.toMatch(/<\?xml|<!DOCTYPE svg/);
  });

  it("holds well-formed SVG pictures only, with no id defined twice", () => {
    const svgs = svgsOf(html);
    for (const svg of svgs) expect(() => parseXml(svg)).not.toThrow();
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids.length - new Set(ids).size).toBe(0);
  });

  it("has a header, the program summary and the front with one point and one table row per plan", () => {
    expect(html).toContain("<title>Tessera report: mlp</title>");
    expect(html).toContain("from <code>result.json</code>");
    expect(html).toContain('<section id="program">');
    const pareto = parseXml(svgsOf(html).find((s) => s.includes('class="pareto"'))!);
    const ids = byClass(pareto, "point").map((p) => p.attrs["data-plan"]);
    const plans = r.front.length + r.baselines.length + 1;
    expect(ids).toHaveLength(plans);
    expect(byClass(pareto, "optimum")).toHaveLength(1);
    const rows = [...html.matchAll(/<tr data-plan="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(rows)).toEqual(new Set(ids));
    expect(html).toContain(`data-chosen="f${r.chosen + 1}"`);
  });

  it("has one section per plan with its cost vector, explanation and three pictures", () => {
    const articles = articlesOf(html);
    expect(articles.size).toBe(r.front.length + r.baselines.length + 1);
    for (const [id, article] of articles) {
      expect(article, id).toContain("<h4>Cost vector</h4>");
      expect(article, id).toContain("<h4>How the plan works</h4>");
      expect(article.match(/<li><code>/g), id).toHaveLength(r.front[0]!.plan.program.operations.length);
      expect(article, id).toContain('<div class="figure plan-graph">');
      expect(article, id).toContain('<div class="figure shard-map">');
      expect(article, id).toContain('<div class="figure timeline">');
      // Graphviz's plan graph, the shard map and the timeline.
      expect(svgsOf(article), id).toHaveLength(3);
    }
    const chosen = articles.get(`f${r.chosen + 1}`)!;
    expect(chosen).toContain('<span class="badge chosen">chosen</span>');
  });

  it("shows the lower bound, the ILP outcome and the search's statistics", () => {
    expect(html).toContain("<h4>Lower bound</h4>");
    expect(html).toMatch(/optimal after 200 ms, objective 20\.0 µs \(plan <code>ilp-optimum<\/code>\)/);
    expect(html).toMatch(/<td>evaluations<\/td><td>\d+ in 250 ms \(\d+\/s\)<\/td>/);
    expect(html).toContain("<td>resplit</td>");
    expect(html).not.toContain("stack window");
  });

  it("says how a stack's two-layer window was planned first, when it was", async () => {
    const stack = {
      firstOperation: "l0_ln1",
      length: 17,
      repeats: 12,
      evaluations: 812,
      seconds: 4,
      tiled: 2,
    };
    const page = await htmlReport({ ...r, stats: { ...r.stats, stack } }, { source: "result.json" });
    expect(page).toContain(
      "<td>stack window</td><td>12 layers of 17 operations from l0_ln1: two planned first (812 evaluations in 4.00 s), 2 tiled plans started from</td>",
    );
  });
});

describe("htmlReport options and inputs", () => {
  it("draws pictures for the first plans only, the chosen one first, when asked to", async () => {
    const r = sampleResult("mlp");
    const drawnWith = async (maxPictures: number) => {
      const html = await htmlReport({ ...r, chosen: 2 }, { maxPictures });
      const articles = articlesOf(html);
      expect([...articles.values()].filter((a) => a.includes("no-pictures"))).toHaveLength(
        articles.size - maxPictures,
      );
      return [...articles].filter(([, a]) => a.includes("figure plan-graph")).map(([id]) => id);
    };
    expect(await drawnWith(1)).toEqual(["f3"]);
    expect(await drawnWith(2)).toEqual(["f1", "f3"]);
  });

  it("draws pictures within a budget of tasks and transfers, the chosen plan whatever its size", async () => {
    const r = sampleResult("mlp");
    const plans = [
      ...r.front.map((s, i) => [`f${i + 1}`, s.plan] as const),
      ...r.baselines.map((s, i) => [`b${i + 1}`, s.plan] as const),
    ];
    const size = new Map<string, number>(
      plans.map(([id, plan]) => {
        const g = deriveTaskGraph(plan);
        return [id, g.tasks.length + g.transfers.length];
      }),
    );
    const chosen = `f${r.chosen + 1}`;
    const drawnWith = async (pictureBudget: number) => {
      const html = await htmlReport(r, { pictureBudget });
      const articles = articlesOf(html);
      // Every plan keeps its cost vector and its explanation.
      for (const a of articles.values()) {
        expect(a).toContain("<h4>Cost vector</h4>");
        expect(a.match(/<li><code>/g)).toHaveLength(r.front[0]!.plan.program.operations.length);
      }
      for (const [id, a] of articles) {
        if (a.includes("figure plan-graph")) continue;
        expect(a, id).toContain('data-why="budget"');
        expect(a, id).toContain(
          `its ${size.get(id)} tasks and transfers would take the report past its picture budget of ${pictureBudget.toLocaleString("en-US")} tasks and transfers`,
        );
      }
      return {
        html,
        drawn: [...articles].filter(([, a]) => a.includes("figure plan-graph")).map(([id]) => id),
      };
    };
    // Nothing fits a budget of 0, but the chosen plan is always drawn.
    const none = await drawnWith(0);
    expect(none.drawn).toEqual([chosen]);
    expect(none.html).toMatch(
      /Pictures are drawn for 1 of \d+ plans: the chosen one first, then in table order/,
    );
    // Past the chosen plan, each plan in table order that still fits.
    const smallest = Math.min(...[...size].filter(([id]) => id !== chosen).map(([, n]) => n));
    const budget = size.get(chosen)! + smallest + 1;
    let left = budget - size.get(chosen)!;
    const expected = new Set([chosen]);
    for (const [id] of plans) {
      if (id === chosen || size.get(id)! > left) continue;
      expected.add(id);
      left -= size.get(id)!;
    }
    expect(expected.size).toBeGreaterThan(1);
    expect(new Set((await drawnWith(budget)).drawn)).toEqual(expected);
  });

  it("reports one plan on a cluster without a front, simulated there", async () => {
    const html = await htmlReport({
      plan: megatronMlp(),
      cluster: presetCluster("dgx-a100"),
      name: "megatron-2",
    });
    expect(html).not.toContain('class="pareto"');
    expect(html).not.toContain('<section id="front">');
    expect(html).toContain('data-kind="plan"');
    const articles = articlesOf(html);
    expect([...articles.keys()]).toEqual(["plan"]);
    expect(articles.get("plan")).toContain("<h3>megatron-2");
    expect(svgsOf(articles.get("plan")!)).toHaveLength(3);
    expect(html).toMatch(/makespan lower bound [\d.]+ µs/);
  });

  it("splits a training step's peak memory per device by kind", async () => {
    const step = buildMlpTrain(4, 16, 32, 8);
    const plan = makePlan(step, { devices: ["d0", "d1"], splits: {} });
    const html = await htmlReport({ plan, cluster: presetCluster("dgx-a100"), name: "one-device" });
    for (const label of ["weights", "optimizer states", "gradients", "kept activations", "transient"])
      expect(html).toContain(`<th class="num">${label}</th>`);
    const forward = await htmlReport({ plan: megatronMlp(), cluster: presetCluster("dgx-a100") });
    expect(forward).not.toContain("optimizer states");
  });

  it("draws a large plan readably: operation by operation, repeated layers once, a dense timeline", async () => {
    // Three GPT-2 small blocks on 64 devices: every operation in 64 shards, ~3.3k tasks.
    const cluster = presetCluster("a100-8x8");
    const plan = hybridPlan(buildGptStack(3, GPT2_SMALL), cluster, 8, 8)!;
    const graph = deriveTaskGraph(plan);
    const html = await htmlReport({ plan, cluster, name: "dp8xtp8" });
    const svgs = svgsOf(articlesOf(html).get("plan")!);
    expect(svgs).toHaveLength(3);
    const [planGraph, , timeline] = svgs.map((svg) => parseXml(svg));
    const nodes = byClass(planGraph!, "node").map((n) => titleOf(n) ?? "");
    expect(nodes.some((t) => t.startsWith("task:"))).toBe(false);
    const ops = nodes.filter((t) => t.startsWith("op:")).sort();
    const layer0 = plan.program.operations.filter((o) => o.id.startsWith("l0_")).map((o) => `op:${o.id}`);
    expect(ops).toEqual(layer0.sort());
    expect(svgs[0]).toContain("× 2 more identical layers");
    // The timeline merges what a pixel cannot tell apart, and keeps the critical path.
    const bars = ["compute", "transfer", "span"].flatMap((c) => byClass(timeline!, c));
    expect(byClass(timeline!, "span").length).toBeGreaterThan(0);
    expect(bars.length).toBeLessThan((graph.tasks.length + graph.transfers.length) / 2);
    expect(byClass(timeline!, "critical").length).toBeGreaterThan(0);
  });

  it("shows a plan's infeasibility", async () => {
    const r = sampleResult("mlp", { memoryBytes: 500_000 });
    const html = await htmlReport(r, { maxPictures: 0 });
    const infeasible = r.front.findIndex((s) => !s.cost.feasible);
    expect(articlesOf(html).get(`f${infeasible + 1}`)).toContain(
      '<span class="badge infeasible">infeasible</span>',
    );
    expect(html).toContain('class="capacity"');
  });

  it("notes when a stored cost differs from the simulation the pictures show", async () => {
    const r = sampleResult("mlp");
    const last = r.front.length - 1;
    const front = r.front.map((s, i) =>
      i === last ? { ...s, cost: { ...s.cost, makespan: s.cost.makespan * 2 } } : s,
    );
    const articles = articlesOf(await htmlReport({ ...r, front }, { maxPictures: r.front.length }));
    expect(articles.get(`f${last + 1}`)).toContain("simulated again here the plan takes");
    expect(articles.get("f1")).not.toContain("simulated again here");
  });

  it("throws the simulator's error for a plan the cluster cannot run", async () => {
    const plan = makePlan(megatronMlp().program, { devices: Array.from({ length: 9 }, (_, i) => `d${i}`) });
    await expect(htmlReport({ plan, cluster: presetCluster("dgx-a100") })).rejects.toMatchObject({
      code: "too_many_devices",
    });
  });
});

describe("writeHtmlReport", () => {
  it("writes the report, creating its folder, and returns the absolute path", async () => {
    const path = await writeHtmlReport(
      { plan: megatronMlp(), cluster: presetCluster("dgx-a100") },
      join(dir, "a", "b", "r.html"),
    );
    expect(path).toBe(join(dir, "a", "b", "r.html"));
    expect(readFileSync(path, "utf8")).toMatch(/^<!doctype html>/);
  });

  it("fails with write_failed naming the path when it cannot write there", async () => {
    const file = join(dir, "file");
    writeFileSync(file, "");
    const target = join(file, "r.html");
    let thrown: unknown;
    try {
      await writeHtmlReport({ plan: megatronMlp(), cluster: presetCluster("dgx-a100") }, target);
    } catch (e: unknown) {
      thrown = e;
    }
    const error = expectTesseraError(() => {
      throw thrown;
    }, "write_failed");
    expect(error.context).toMatchObject({ path: target, reason: "EEXIST" });
    expect(error.summary).toBe(`cannot write the report to ${target} (EEXIST)`);
  });
});

import { writeTextFile } from "../base/write-text-file.js";
import type { Cluster } from "../cluster/cluster.js";
import type { Pricing } from "../cost/context.js";
import { elementsPerPoint } from "../cost/cost-model.js";
import { mapDevices } from "../cost/device-map.js";
import { MEMORY_KINDS } from "../cost/memory-kinds.js";
import type { CostVector, Simulation } from "../cost/simulation.js";
import { simulatePlan } from "../cost/simulator.js";
import type { Program } from "../ir/program.js";
import type { Plan } from "../plan/plan.js";
import { recomputedTensors } from "../plan/recompute-plan.js";
import { deriveTaskGraph, type TaskGraph } from "../plan/task-graph.js";
import { type LowerBound, lowerBound } from "../search/lower-bound.js";
import type { SearchResult } from "../search/result/search-result.js";
import { featuredTensor } from "./featured-tensor.js";
import { inlineSvg } from "./inline-svg.js";
import { formatBox } from "./label-text.js";
import { MEMORY_KIND_LABEL, showsMemoryKinds } from "./memory-split.js";
import { type ParetoPoint, paretoSvg, trafficOf } from "./pareto-svg.js";
import { planToDot } from "./plan-dot.js";
import { type PlanExplanation, planExplainer } from "./plan-explanation.js";
import { programToDot } from "./program-dot.js";
import { renderSvg } from "./render-svg.js";
import { REPORT_CSS, REPORT_SCRIPT } from "./report-assets.js";
import { shardMapSvg } from "./shard-map.js";
import { xmlAttr as attr, xmlText as text } from "./svg-text.js";
import { timelineSvg } from "./timeline-svg.js";
import { formatBytes, formatFlops, formatSeconds } from "./units.js";

/** A single plan to report on, simulated on `cluster` (no front: the plan alone). */
export interface PlanOnCluster {
  readonly plan: Plan;
  readonly cluster: Cluster;
  /** How transfers are priced in the simulation (default `point-to-point`). */
  readonly pricing?: Pricing;
  /** The plan's name in the report (default `plan`). */
  readonly name?: string;
}

/** What a report is about: a search result (front, baselines, bound) or one plan on a cluster. */
export type ReportInput = SearchResult | PlanOnCluster;

/** How `htmlReport` writes a report. */
export interface HtmlReportOptions {
  /** The page title (default `Tessera report: <program name>`). */
  readonly title?: string;
  /** Where the input came from (a file name), shown in the header. */
  readonly source?: string;
  /**
   * Draw pictures (plan graph, shard map, timeline) for at most this many plans: the chosen
   * one first, then the front, the baselines and the ILP optimum; the others get their cost
   * vector and explanation only (default 24).
   */
  readonly maxPictures?: number;
  /**
   * How many tasks and transfers the pictures may show in all (default 40000): the chosen
   * plan is always drawn; each other plan, in table order, only while its tasks and transfers
   * keep the total within this. A plan left without pictures says why.
   */
  readonly pictureBudget?: number;
}

/** The default `pictureBudget`: a plan of ~13k tasks and ~11k transfers, and smaller ones beside it. */
export const DEFAULT_PICTURE_BUDGET = 40_000;

/** Whether a plan gets pictures, and why not when it does not. */
type Pictures =
  | { readonly drawn: true }
  | { readonly drawn: false; readonly why: "count" | "budget" | "none"; readonly items: number };

/** One plan of the report and everything shown about it. */
interface Entry {
  readonly id: string;
  readonly name: string;
  readonly role: "front" | "baseline" | "optimum" | "plan";
  readonly plan: Plan;
  /** The cost vector to show: the stored one for a search result, else the simulated one. */
  readonly cost: CostVector;
  readonly chosen: boolean;
  /** The simulation behind `cost` when the report ran it (a lone plan). */
  readonly sim?: Simulation;
}

const ROLE_NAME = {
  front: "front plan",
  baseline: "baseline",
  optimum: "ILP optimum",
  plan: "plan",
} as const;

/** True when `input` is a search result rather than one plan on a cluster. */
function isSearchResult(input: ReportInput): input is SearchResult {
  return "front" in input;
}

function entriesOf(input: ReportInput): { entries: Entry[]; chosen: string } {
  if (!isSearchResult(input)) {
    const sim = simulatePlan(input.plan, input.cluster, { pricing: input.pricing ?? "point-to-point" });
    const entry = {
      id: "plan",
      name: input.name ?? "plan",
      role: "plan",
      plan: input.plan,
      cost: sim.cost,
      chosen: true,
      sim,
    };
    return { entries: [entry as Entry], chosen: "plan" };
  }
  const entries: Entry[] = [
    ...input.front.map((s, i) => ({
      id: `f${i + 1}`,
      name: s.name,
      role: "front" as const,
      plan: s.plan,
      cost: s.cost,
      chosen: i === input.chosen,
    })),
    ...input.baselines.map((s, i) => ({
      id: `b${i + 1}`,
      name: s.name,
      role: "baseline" as const,
      plan: s.plan,
      cost: s.cost,
      chosen: false,
    })),
    ...(input.optimum?.plan === undefined
      ? []
      : [
          {
            id: "ilp",
            name: input.optimum.plan.name,
            role: "optimum" as const,
            plan: input.optimum.plan.plan,
            cost: input.optimum.plan.cost,
            chosen: false,
          },
        ]),
  ];
  return { entries, chosen: `f${input.chosen + 1}` };
}

function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[] = [],
  cls = "",
): string {
  // Key-value tables (an empty head) need no header row.
  const th = head.every((h) => h === "")
    ? ""
    : `<thead><tr>${head.map((h, k) => `<th${numeric[k] === true ? ' class="num"' : ""}>${h}</th>`).join("")}</tr></thead>`;
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, k) => `<td${numeric[k] === true ? ' class="num"' : ""}>${c}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<table${cls === "" ? "" : ` class="${cls}"`}>${th}<tbody>\n${body}\n</tbody></table>`;
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "—");

/** The program: counts, inputs and outputs, FLOPs, the operations and the operation graph. */
async function programSection(program: Program, bound: LowerBound): Promise<string> {
  const tensors = new Map(program.tensors.map((t) => [t.id, t]));
  const tensorRow = (id: string) => {
    const t = tensors.get(id)!;
    return `<code>${text(id)}</code> ${text(t.dtype)} ${text(formatBox(t.range))}`;
  };
  const ops = program.operations.map((op) => [
    `<code>${text(op.id)}</code>`,
    text(op.kernel),
    text(op.signature.indexNames.map((n, d) => `${n}=${op.index.shape.coords[d]}`).join(" ")),
    text(
      op.signature.reductions.map((r) => `${op.signature.indexNames[r.dim]} (${r.monoid})`).join(", ") || "—",
    ),
    text(formatFlops(2 * op.index.size * elementsPerPoint(op))),
  ]);
  const graph = inlineSvg(await renderSvg(programToDot(program)), "program");
  return `<section id="program">
<h2>Program ${text(program.name ?? "")}</h2>
<div class="grid2">
<div>${table(
    ["", ""],
    [
      ["operations", String(program.operations.length)],
      ["tensors", String(program.tensors.length)],
      ["inputs", program.inputs.map(tensorRow).join("<br>")],
      ["outputs", program.outputs.map(tensorRow).join("<br>")],
      ["work", text(formatFlops(bound.flops))],
    ],
  )}</div>
<div><details><summary>operations (${program.operations.length})</summary>${table(["operation", "kernel", "index", "reductions", "work"], ops, [false, false, false, false, true])}</details>
<details><summary>operation graph</summary><div class="figure program-graph"><button class="zoom" type="button">actual size</button>${graph}</div></details></div>
</div>
</section>`;
}

/** The lower bound in words: its value and which term binds. */
function boundText(b: LowerBound): string {
  const of = b.op === undefined ? "" : ` (of <code>${text(b.op)}</code>)`;
  const why =
    b.bindingTerm === "flops"
      ? `all devices busy at peak for the program's ${formatFlops(b.flops)}`
      : b.bindingTerm === "work"
        ? "all devices busy at peak, with one launch per operation"
        : b.bindingTerm === "critical-path"
          ? `the longest dependency chain of ${b.criticalPathLength ?? "?"} operations, launches included${of}`
          : `the longest indivisible task${of}`;
  const path =
    b.criticalPathSeconds === undefined
      ? ""
      : `, critical path ${text(formatSeconds(b.criticalPathSeconds))}`;
  return `${text(formatSeconds(b.seconds))}: ${why} (FLOP term ${text(formatSeconds(b.flopsSeconds))}, indivisible term ${text(formatSeconds(b.indivisibleSeconds))}${path})`;
}

/** The search: the Pareto plot, every plan in a table, the bound, the optimum, what it spent. */
function frontSection(result: SearchResult, entries: readonly Entry[]): string {
  const points: ParetoPoint[] = entries.map((e) => ({
    id: e.id,
    name: e.name,
    role: e.role === "plan" ? "front" : e.role,
    cost: e.cost,
    chosen: e.chosen,
  }));
  const capacity = Math.min(
    ...result.cluster.devices.map((d) => result.cluster.deviceTypes[d.type]!.memoryBytes),
  );
  const plot = paretoSvg(points, {
    lowerBound: { seconds: result.lowerBound.seconds },
    memoryCapacity: capacity,
    width: 1000,
    height: 500,
  });
  const rows = entries.map(
    (e) =>
      `<tr data-plan="${attr(e.id)}" tabindex="0" role="button"><td><a class="plan-link" data-plan="${attr(e.id)}" href="#plan-${attr(e.id)}">${text(e.name)}</a>${e.chosen ? '<span class="badge chosen">chosen</span>' : ""}</td><td>${ROLE_NAME[e.role]}</td><td class="num">${text(formatSeconds(e.cost.makespan))}</td><td class="num">${ratio(e.cost.makespan, result.lowerBound.seconds)}</td><td class="num">${text(formatBytes(e.cost.maxPeakMemory))}</td><td class="num">${text(formatBytes(e.cost.bytesByLinkClass.intra))}</td><td class="num">${text(formatBytes(e.cost.bytesByLinkClass.inter))}</td><td class="num">${e.cost.devicesUsed}</td><td>${e.cost.feasible ? "yes" : '<span class="bad">no</span>'}</td></tr>`,
  );
  const head = [
    "plan",
    "kind",
    "makespan",
    "÷ bound",
    "peak memory",
    "bytes in hosts",
    "bytes between hosts",
    "devices",
    "feasible",
  ];
  const s = result.stats;
  const optimum = result.optimum;
  const ilp =
    optimum === undefined
      ? "not asked for"
      : `${text(optimum.status)} after ${text(formatSeconds(optimum.seconds))}${optimum.objective === undefined ? "" : `, objective ${text(formatSeconds(optimum.objective))}`}${optimum.plan === undefined ? "" : ` (plan <code>${text(optimum.plan.name)}</code>)`}`;
  const mutators = s.mutators.map((m) => [
    text(m.name),
    String(m.tried),
    String(m.improved),
    m.probability.toFixed(3),
  ]);
  return `<section id="front">
<h2>Pareto front</h2>
<p class="lead">${result.front.length} plan${result.front.length === 1 ? "" : "s"} on the front, none beaten by another in makespan, peak memory and traffic at once; ${result.baselines.length} baseline${result.baselines.length === 1 ? "" : "s"} beside them. Hover a point for its cost, click it (or a row below) to show its plan.</p>
<div class="figure pareto-figure">${inlineSvg(plot, "pareto")}</div>
<div id="hover-card" role="status" hidden></div>
<table class="plans"><thead><tr>${head.map((h, k) => `<th${k >= 2 && k <= 7 ? ' class="num"' : ""}>${h}</th>`).join("")}</tr></thead><tbody>
${rows.join("\n")}
</tbody></table>
<div class="grid2">
<div><h4>Lower bound</h4><p>${boundText(result.lowerBound)}</p>
<h4>ILP optimum</h4><p>${ilp}</p></div>
<div><h4>Search</h4>${table(
    ["", ""],
    [
      ["seed", String(s.seed)],
      ["workers", String(s.workers)],
      [
        "evaluations",
        `${s.evaluations} in ${text(formatSeconds(s.seconds))} (${Math.round(s.evaluationsPerSecond)}/s)`,
      ],
      ["stopped by", `its ${text(s.stoppedBy)} budget`],
      ...(s.stack === undefined
        ? []
        : [
            [
              "stack window",
              `${s.stack.repeats} layers of ${s.stack.length} operations from ${text(s.stack.firstOperation)}: two planned first (${s.stack.evaluations} evaluations in ${text(formatSeconds(s.stack.seconds))}), ${s.stack.tiled} tiled plan${s.stack.tiled === 1 ? "" : "s"} started from`,
            ],
          ]),
    ],
  )}${mutators.length === 0 ? "" : table(["mutator", "tried", "improved", "probability"], mutators, [false, true, true, true])}</div>
</div>
</section>`;
}

/**
 * Per device: its peak memory beside a bar (relative to the largest), over-capacity in red;
 * for a training step with its simulation at hand, what the peak held by kind.
 */
function memoryTable(cost: CostVector, plan: Plan, cluster: Cluster, sim?: Simulation): string {
  const mapping = mapDevices(plan, cluster);
  const types = new Map(cluster.devices.map((d) => [d.id, cluster.deviceTypes[d.type]!]));
  const max = Math.max(1, ...Object.values(cost.peakMemory));
  const kinds = sim !== undefined && showsMemoryKinds(sim.memory);
  const rows = Object.entries(cost.peakMemory).map(([d, b]) => {
    const on = mapping[d] ?? d;
    const capacity = types.get(on)?.memoryBytes;
    const over = capacity !== undefined && b > capacity;
    return [
      text(d),
      text(on),
      `${text(formatBytes(b))}${over ? ' <span class="bad">over capacity</span>' : ""}`,
      capacity === undefined ? "—" : text(formatBytes(capacity)),
      `<div class="bar${over ? " over" : ""}" style="width:${Math.max(1, Math.round((b / max) * 160))}px"></div>`,
      ...(kinds ? MEMORY_KINDS.map((k) => text(formatBytes(sim!.memory![d]?.[k] ?? 0))) : []),
    ];
  });
  return table(
    [
      "device",
      "runs on",
      "peak memory",
      "capacity",
      "",
      ...(kinds ? MEMORY_KINDS.map((k) => MEMORY_KIND_LABEL[k]) : []),
    ],
    rows,
    [false, false, true, true, false, ...(kinds ? MEMORY_KINDS.map(() => true) : [])],
    "memory",
  );
}

/** Why a plan has no pictures, in words. */
function noPictures(p: Pictures & { drawn: false }, maxPictures: number, budget: number): string {
  if (p.why === "count")
    return `Pictures are drawn for the first ${maxPictures} plan${maxPictures === 1 ? "" : "s"} only, the chosen one first (raise <code>--max-pictures</code> to draw this one too).`;
  if (p.why === "none") return "Pictures are not drawn in this report (<code>--max-pictures 0</code>).";
  return `No pictures for this plan: its ${p.items.toLocaleString("en-US")} tasks and transfers would take the report past its picture budget of ${budget.toLocaleString("en-US")} tasks and transfers in all (the chosen plan is drawn first, then the others in table order while they fit). Its cost vector and explanation above are complete.`;
}

/** One plan's section: badges, cost vector, explanation and (when drawn) its three pictures. */
async function planArticle(
  e: Entry,
  cluster: Cluster,
  pricing: Pricing,
  bound: LowerBound,
  explanation: PlanExplanation,
  pictures: Pictures,
  search: boolean,
  limits: { readonly maxPictures: number; readonly budget: number },
  drawnGraph?: TaskGraph,
): Promise<string> {
  // Only pictures need the timeline and the task graph: a plan without them is not simulated again.
  const graph = pictures.drawn ? (drawnGraph ?? deriveTaskGraph(e.plan)) : undefined;
  const sim = graph === undefined ? undefined : (e.sim ?? simulatePlan(e.plan, cluster, { pricing }));
  const c = e.cost;
  const drift =
    sim !== undefined && Math.abs(sim.cost.makespan - c.makespan) > 1e-9 * Math.max(c.makespan, 1e-12);
  const costRows = [
    [
      "makespan",
      `${text(formatSeconds(c.makespan))} (${ratio(c.makespan, bound.seconds)} the lower bound, ${text(formatSeconds(bound.seconds))})`,
    ],
    [
      "peak memory, largest device",
      `${text(formatBytes(c.maxPeakMemory))}${c.feasible ? "" : ' <span class="bad">over device memory: infeasible</span>'}`,
    ],
    ["bytes inside hosts", text(formatBytes(c.bytesByLinkClass.intra))],
    ["bytes between hosts", text(formatBytes(c.bytesByLinkClass.inter))],
    ["traffic, all links", text(formatBytes(trafficOf(c)))],
    ["devices used", `${c.devicesUsed} of the plan's ${e.plan.devices.length}`],
    ["feasible", c.feasible ? "yes" : '<span class="bad">no</span>'],
    ...(drift
      ? [
          [
            "note",
            `simulated again here the plan takes ${text(formatSeconds(sim!.cost.makespan))}; the pictures show that simulation`,
          ],
        ]
      : []),
  ];
  const explained = explanation.operations
    .map(
      (o) =>
        `<li><code>${text(o.op)}</code> <span class="kernel">(${text(o.kernel)})</span>: ${text(o.text.slice(o.op.length + 2))}</li>`,
    )
    .join("\n");
  let figures: string;
  if (sim !== undefined && graph !== undefined) {
    const tensor = featuredTensor(e.plan, graph);
    const planGraph = inlineSvg(
      await renderSvg(
        planToDot(e.plan, graph, { title: `${e.name}: ${e.plan.program.name ?? "program"} sharded` }),
      ),
      `${e.id}-graph`,
    );
    const map = inlineSvg(shardMapSvg(e.plan, tensor, { graph, size: 420 }), `${e.id}-map`);
    const timeline = inlineSvg(
      timelineSvg(sim, { graph, title: `Timeline of ${e.name}`, width: 1100 }),
      `${e.id}-timeline`,
    );
    figures = `<h4>Sharded plan graph</h4>
<div class="figure plan-graph"><button class="zoom" type="button">actual size</button>${planGraph}</div>
<h4>Shard map of <code>${text(tensor)}</code></h4>
<p class="caption">The largest tensor this plan moves between devices: who holds which part once computed (filled) and who reads which part (dashed; hatched where read from elsewhere).</p>
<div class="figure shard-map">${map}</div>
<h4>Simulated timeline</h4>
<p class="caption">${text(pricing)} pricing on ${text(cluster.name)}; the critical path is outlined in black.</p>
<div class="figure timeline"><button class="zoom" type="button">actual size</button>${timeline}</div>`;
  } else if (!pictures.drawn) {
    figures = `<p class="caption no-pictures" data-why="${pictures.why}">${noPictures(pictures, limits.maxPictures, limits.budget)}</p>`;
  } else figures = "";
  // A lone plan is neither chosen nor of a kind: only infeasibility is worth a badge.
  const badges = `${search ? `<span class="badge">${ROLE_NAME[e.role]}</span>` : ""}${search && e.chosen ? '<span class="badge chosen">chosen</span>' : ""}${c.feasible ? "" : '<span class="badge infeasible">infeasible</span>'}`;
  return `<article class="plan-detail" id="plan-${attr(e.id)}" data-plan="${attr(e.id)}" data-name="${attr(e.name)}">
${search ? '<a class="back" href="#front">↑ front</a>' : ""}<h3>${text(e.name)}${badges}</h3>
<p class="headline">${text(explanation.summary)}</p>
${recomputeLine(e.plan)}<div class="grid2">
<div><h4>Cost vector</h4>${table(["", ""], costRows)}</div>
<div><h4>Peak memory per device</h4>${memoryTable(c, e.plan, cluster, sim)}</div>
</div>
<h4>How the plan works</h4>
<ul class="explanation">
${explained}
</ul>
${figures}
</article>`;
}

/**
 * A self-contained HTML report (one file, no network: inline SVG, CSS and script). For a
 * search result: the program, the Pareto plot (hover a point for its cost, click it or its
 * table row to show its plan), every plan in a table, the lower bound, the ILP outcome and the
 * search's statistics, then one section per plan — cost vector, peak memory per device, an
 * explanation of each operation's split and traffic (`explainPlan`) and, for the first
 * `maxPictures` plans, the sharded plan graph, the shard map of the largest tensor it moves and
 * the simulated timeline with its critical path. For one plan on a cluster: the same without
 * the front. Throws what simulation throws (`too_many_devices`, `unsupported_dtype`, ...) and
 * `render_failed`.
 *
 * Example: `await htmlReport({ plan, cluster: presetCluster("dgx-a100") })`.
 */
export async function htmlReport(input: ReportInput, opts: HtmlReportOptions = {}): Promise<string> {
  const { entries, chosen } = entriesOf(input);
  const search = isSearchResult(input);
  const cluster = input.cluster;
  const pricing = search ? input.pricing : (input.pricing ?? "point-to-point");
  const program = entries[0]!.plan.program;
  const bound = search ? input.lowerBound : lowerBound(program, cluster);
  const maxPictures = Math.max(0, opts.maxPictures ?? 24);
  const budget = Math.max(0, opts.pictureBudget ?? DEFAULT_PICTURE_BUDGET);
  // Pictures go first to the chosen plan (whatever its size), then in table order while the
  // tasks and transfers drawn stay within the budget. Every plan is explained; the explainer
  // derives task graphs only for operations no plan before was explained alike.
  const explainer = planExplainer();
  const byId = new Map(entries.map((e) => [e.id, e]));
  const order = [...new Set([chosen, ...entries.map((e) => e.id)])].map((id) => byId.get(id)!);
  const explained = new Map<string, PlanExplanation>();
  const pictures = new Map<string, Pictures>();
  // The chosen plan's task graph serves its explanation and its pictures; the other drawn
  // plans derive theirs when drawn, one at a time.
  let chosenGraph: TaskGraph | undefined;
  let [drawn, items] = [0, 0];
  for (const e of order) {
    const first = e.id === chosen && maxPictures > 0;
    if (first) chosenGraph = deriveTaskGraph(e.plan);
    const explanation = explainer.explain(e.plan, first ? chosenGraph : undefined);
    explained.set(e.id, explanation);
    const size = explanation.tasks + explanation.transfers;
    if (first || (drawn < maxPictures && items + size <= budget)) {
      pictures.set(e.id, { drawn: true });
      [drawn, items] = [drawn + 1, items + size];
    } else {
      const why = maxPictures === 0 ? "none" : drawn >= maxPictures ? "count" : "budget";
      pictures.set(e.id, { drawn: false, why, items: size });
    }
  }
  const articles: string[] = [];
  for (const e of entries) {
    const limits = { maxPictures, budget };
    const graph = e.id === chosen ? chosenGraph : undefined;
    const p = pictures.get(e.id)!;
    articles.push(
      await planArticle(e, cluster, pricing, bound, explained.get(e.id)!, p, search, limits, graph),
    );
  }
  const title = opts.title ?? `Tessera report: ${program.name ?? "program"}`;
  const meta = [
    `cluster <b>${text(cluster.name)}</b>${cluster.description === undefined ? "" : ` (${text(cluster.description)})`}`,
    `${cluster.devices.length} devices`,
    `${text(pricing)} pricing`,
    ...(opts.source === undefined ? [] : [`from <code>${text(opts.source)}</code>`]),
  ].join(" · ");
  const nav = [
    '<a href="#program">program</a>',
    ...(search ? ['<a href="#front">front</a>'] : []),
    '<a href="#plans">plan</a>',
    `<span class="selected-plan">showing <b id="selected-name">${text(entries.find((e) => e.id === chosen)!.name)}</b></span>`,
  ].join("");
  const heading = search
    ? `<h2>Plans</h2><p class="lead">The selected plan (click a point or a row of the front to change it). Pictures are drawn for ${drawn} of ${entries.length} plans${drawn === entries.length ? "" : `: the chosen one first, then in table order, at most ${maxPictures} and ${budget.toLocaleString("en-US")} tasks and transfers in all (a plan without pictures says why)`}.</p>`
    : `<h2>Plan</h2><p class="lead">Simulated on ${text(cluster.name)} with ${text(pricing)} pricing; makespan lower bound ${boundText(bound)}.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Tessera">
<title>${text(title)}</title>
<link rel="icon" href="data:,">
<style>${REPORT_CSS}</style>
</head>
<body data-chosen="${attr(chosen)}" data-kind="${search ? "search-result" : "plan"}">
<header class="page"><h1>${text(title)}</h1><p class="meta">${meta}</p></header>
<nav class="toc">${nav}</nav>
<main>
${await programSection(program, bound)}
${search ? frontSection(input, entries) : ""}
<section id="plans">
${heading}
${articles.join("\n")}
</section>
<footer>Written by Tessera. Units: seconds, bytes (KiB = 1024 B), FLOPs; simulated, not measured.</footer>
</main>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * Writes `htmlReport(input, opts)` to `path` (creating its folder) and returns the absolute
 * path written. Throws `write_failed` naming the path and the reason when it cannot be written.
 */
export async function writeHtmlReport(
  input: ReportInput,
  path: string,
  opts: HtmlReportOptions = {},
): Promise<string> {
  return writeTextFile(path, await htmlReport(input, opts), { what: "the report to" });
}

/** What a plan recomputes for the backward, as a paragraph (empty when it keeps every activation). */
function recomputeLine(plan: Plan): string {
  const ids = recomputedTensors(plan);
  if (ids.length === 0) return "";
  const list = ids.map((id) => `<code>${text(id)}</code>`).join(", ");
  return `<p class="recompute">Recomputes ${ids.length} activation${ids.length === 1 ? "" : "s"} for the backward instead of keeping ${ids.length === 1 ? "it" : "them"}: ${list}.</p>
`;
}

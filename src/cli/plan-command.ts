import { join, resolve } from "node:path";
import { TesseraError } from "../base/errors.js";
import { writeTextFile } from "../base/write-text-file.js";
import { loadCluster } from "../cluster/load-cluster.js";
import type { Pricing } from "../cost/context.js";
import { memoryKinds } from "../cost/memory-kinds.js";
import type { CostVector } from "../cost/simulation.js";
import { simulatePlan } from "../cost/simulator.js";
import { createDistributedSearchPool } from "../exec/distributed/distributed-search-pool.js";
import { loadProgramFile } from "../frontend/load-program.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { planToJson } from "../plan/encode-plan.js";
import { recomputedTensors } from "../plan/recompute-plan.js";
import { writeHtmlReport } from "../report/html-report.js";
import { largestPeak, memorySplitText } from "../report/memory-split.js";
import { formatBytes, formatSeconds } from "../report/units.js";
import { clusterDevices } from "../search/cluster-devices.js";
import { ilpOptimum } from "../search/ilp/ilp-optimum.js";
import type { SearchResult } from "../search/result/search-result.js";
import { searchResultToJson } from "../search/result/search-result-file.js";
import { searchPlans } from "../search/search-plans.js";
import type { SearchBudget } from "../search/search-run.js";
import { parsePinSpecs } from "./pin-spec.js";
import { progressBar } from "./progress-bar.js";
import { textTable } from "./text-table.js";

/** Options of `tessera plan`. */
export interface PlanCommandOptions {
  readonly cluster: string;
  readonly devices?: number;
  readonly budget: SearchBudget;
  readonly seed: number;
  readonly workers: number;
  readonly pins: readonly string[];
  readonly pricing: Pricing;
  /** Also solve the layout ILP (and show its optimum beside the front). */
  readonly ilp: boolean;
  /** Plan two layers of a repeated stack first and tile them (`SearchOptions.tileStack`, default true). */
  readonly tileStack?: boolean;
  /** Folder for the search result, plan files and report. */
  readonly out: string;
  /** Write the HTML report (default true). */
  readonly report: boolean;
  /** Run the parallel search's workers on the `tessera worker` processes at this Redis. */
  readonly redis?: string;
  /** Accept a non-loopback Redis without password or TLS. */
  readonly insecure?: boolean;
}

/** The files `tessera plan` wrote. */
export interface PlanCommandFiles {
  readonly result: string;
  readonly chosen: string;
  readonly plans: readonly string[];
  readonly report?: string;
}

/**
 * Parses `--budget`: `30s` (seconds), `500ms`, `20000` (plan evaluations), or both joined by a
 * comma (`30s,20000`: whichever is reached first). Throws `invalid_budget`.
 */
export function parseBudget(text: string): SearchBudget {
  let seconds: number | undefined;
  let evaluations: number | undefined;
  for (const part of text.split(",")) {
    const m = /^(\d+(?:\.\d+)?)(s|ms)$|^(\d+)$/.exec(part.trim());
    if (m === null || (m[3] === undefined ? seconds : evaluations) !== undefined) {
      throw new TesseraError(
        "invalid_budget",
        `--budget ${text}: give seconds (30s, 500ms), evaluations (20000) or both (30s,20000)`,
        { budget: text },
      );
    }
    if (m[3] !== undefined) evaluations = Number(m[3]);
    else seconds = Number(m[1]) / (m[2] === "ms" ? 1000 : 1);
    if ((seconds !== undefined && !(seconds > 0)) || evaluations === 0)
      throw new TesseraError("invalid_budget", `--budget ${text}: the budget must be positive`, {
        budget: text,
      });
    // A search must end: at most a week, and at most 10^8 evaluations.
    if ((seconds ?? 0) > 604_800 || (evaluations ?? 0) > 1e8)
      throw new TesseraError(
        "invalid_budget",
        `--budget ${text}: at most 604800s (a week) and 100000000 evaluations`,
        {
          budget: text,
        },
      );
  }
  return {
    ...(seconds === undefined ? {} : { seconds }),
    ...(evaluations === undefined ? {} : { evaluations }),
  };
}

/**
 * Plans a program file on a cluster: runs the search (with progress on a terminal), prints the
 * front beside the baselines and the lower bound, and writes the search result, one plan file
 * per front plan and baseline, the chosen plan, and the HTML report.
 */
export async function planProgramFile(
  file: string,
  opts: PlanCommandOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): Promise<PlanCommandFiles> {
  const program = loadProgramFile(file, registry);
  const cluster = loadCluster(opts.cluster);
  const devices = clusterDevices(cluster, opts.devices);
  const pins = parsePinSpecs(opts.pins, program, devices);
  const name = program.name ?? "program";
  const budget = [
    opts.budget.seconds === undefined ? "" : `${opts.budget.seconds} s`,
    opts.budget.evaluations === undefined ? "" : `${opts.budget.evaluations} evaluations`,
  ]
    .filter((s) => s !== "")
    .join(" or ");
  out(
    `planning '${name}' (${program.operations.length} operations) on ${devices.length} devices of cluster '${cluster.name}': budget ${budget}, seed ${opts.seed}, ${opts.workers} worker${opts.workers === 1 ? "" : "s"}${pins.length > 0 ? `, ${pins.length} pin${pins.length === 1 ? "" : "s"}` : ""}\n`,
  );
  const bar = progressBar("searching", process.stderr);
  // Ctrl-C stops the search and keeps what it found: the files below are written as usual. A
  // second Ctrl-C gives up at once.
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130);
    bar.done();
    process.stderr.write(
      "interrupted: stopping the search; writing the best front found so far (Ctrl-C again to quit at once)\n",
    );
    interrupt.abort();
  };
  process.on("SIGINT", onSigint);
  const pool =
    opts.redis === undefined || opts.workers === 1
      ? undefined
      : await createDistributedSearchPool({ redis: opts.redis, insecure: opts.insecure === true });
  if (pool !== undefined) out(`search workers on the tessera worker processes at ${pool.redis}\n`);
  const found = await searchPlans(program, cluster, {
    ...(pool === undefined ? {} : { pool }),
    signal: interrupt.signal,
    seed: opts.seed,
    budget: opts.budget,
    workers: opts.workers,
    devices: devices.length,
    pins,
    pricing: opts.pricing,
    ...(opts.tileStack === undefined ? {} : { tileStack: opts.tileStack }),
    onProgress: (p) =>
      bar.update(
        Math.round(p.fraction * 100),
        100,
        p.stackWindow === undefined
          ? `${p.evaluations} plans, best ${formatSeconds(p.bestMakespan)}`
          : `2 of ${p.stackWindow.repeats} layers: ${p.evaluations} plans, best ${formatSeconds(p.bestMakespan)}`,
      ),
  }).finally(async () => {
    process.off("SIGINT", onSigint);
    await pool?.close();
  });
  bar.done();
  if (found.stats.stoppedBy === "aborted")
    process.stderr.write(
      `interrupted after ${found.stats.evaluations} plan evaluations: the front below is the best found so far\n`,
    );
  let result: SearchResult = found;
  if (opts.ilp) {
    out("solving the layout ILP…\n");
    const optimum = await ilpOptimum(program, cluster, { devices: devices.length, pricing: opts.pricing });
    result = { ...found, optimum };
  }
  out(`\n${frontTable(result)}\n`);
  out(
    `\n${result.stats.evaluations} plans evaluated in ${formatSeconds(result.stats.seconds)} (${Math.round(result.stats.evaluationsPerSecond)}/s); mutators: ${result.stats.mutators
      .map((m) => `${m.name} ${(m.probability * 100).toFixed(0)}%`)
      .join(", ")}\n`,
  );
  const stack = result.stats.stack;
  if (stack !== undefined)
    out(
      `a stack of ${stack.repeats} layers (${stack.length} operations each, from '${stack.firstOperation}'): two of them planned first (${stack.evaluations} plans in ${formatSeconds(stack.seconds)}), ${stack.tiled} tiled over the stack as starting plans\n`,
    );

  const dir = resolve(opts.out);
  const written = (path: string, text: string) => writeTextFile(path, text);
  const resultFile = written(
    join(dir, "search-result.json"),
    `${JSON.stringify(searchResultToJson(result))}\n`,
  );
  const named = [
    ...result.front,
    ...result.baselines,
    ...(result.optimum?.plan === undefined ? [] : [result.optimum.plan]),
  ];
  const plans = named.map((m) =>
    written(join(dir, "plans", `${m.name}.plan.json`), `${JSON.stringify(planToJson(m.plan), null, 1)}\n`),
  );
  const chosenPlan = result.front[result.chosen]!;
  const chosen = written(
    join(dir, "chosen.plan.json"),
    `${JSON.stringify(planToJson(chosenPlan.plan), null, 1)}\n`,
  );
  out(
    `\nchosen: ${chosenPlan.name} → ${chosen}\nsearch result: ${resultFile}\nplans: ${join(dir, "plans")}/\n`,
  );
  const recomputed = recomputedTensors(chosenPlan.plan);
  if (recomputed.length > 0) out(`chosen plan recomputes for the backward: ${recomputed.join(", ")}\n`);
  // A training step: what the chosen plan's largest peak holds (one more simulation, with its timeline).
  if ([...memoryKinds(program).values()].some((k) => k !== "transient")) {
    const top = largestPeak(simulatePlan(chosenPlan.plan, cluster, { pricing: opts.pricing }).memory ?? {});
    if (top !== undefined)
      out(
        `chosen plan's largest peak, ${top.device}: ${formatBytes(top.split.peak)} = ${memorySplitText(top.split)}\n`,
      );
  }
  let report: string | undefined;
  if (opts.report) {
    report = await writeHtmlReport(result, join(dir, "report.html"), { source: file });
    out(`report: ${report}\n`);
  }
  return { result: resultFile, chosen, plans, ...(report === undefined ? {} : { report }) };
}

/** The front as a table, the baselines, the ILP optimum and the lower bound beside it. */
export function frontTable(result: SearchResult): string {
  const bound = result.lowerBound.seconds;
  const row = (label: string, c: CostVector) => [
    label,
    formatSeconds(c.makespan),
    bound > 0 ? `${(c.makespan / bound).toFixed(2)}×` : "–",
    formatBytes(c.maxPeakMemory),
    formatBytes(c.bytesByLinkClass.intra),
    formatBytes(c.bytesByLinkClass.inter),
    String(c.devicesUsed),
    c.feasible ? "yes" : "NO",
  ];
  const shown = shownFrontPlans(result, 12);
  const rows = shown.map((i) =>
    row(`${i === result.chosen ? "* " : "  "}${result.front[i]!.name}`, result.front[i]!.cost),
  );
  if (shown.length < result.front.length)
    rows.push([
      `  (${result.front.length - shown.length} more on the front: see the report)`,
      "",
      "",
      "",
      "",
      "",
      "",
      "",
    ]);
  rows.push(["", "", "", "", "", "", "", ""]);
  for (const b of result.baselines) rows.push(row(`  ${b.name}`, b.cost));
  const opt = result.optimum;
  if (opt !== undefined) {
    if (opt.plan !== undefined) rows.push(row(`  ilp-optimum (${opt.status})`, opt.plan.cost));
    else rows.push([`  ilp-optimum: ${opt.status}`, "", "", "", "", "", "", ""]);
  }
  rows.push([
    `  lower bound (${result.lowerBound.bindingTerm})`,
    formatSeconds(bound),
    "1.00×",
    "",
    "",
    "",
    "",
    "",
  ]);
  return textTable(
    ["plan", "makespan", "× bound", "peak memory", "intra-host", "inter-host", "devices", "feasible"],
    rows,
  );
}

/**
 * Which front plans a terminal table shows when the front is long: the fastest ones, the chosen
 * one, and the extremes in memory and in traffic (the other ends of the trade-off), in front order.
 */
function shownFrontPlans(result: SearchResult, limit: number): number[] {
  const n = result.front.length;
  if (n <= limit) return result.front.map((_, i) => i);
  const pickMin = (key: (c: CostVector) => number) =>
    result.front.reduce((best, m, i) => (key(m.cost) < key(result.front[best]!.cost) ? i : best), 0);
  const keep = new Set([
    result.chosen,
    pickMin((c) => c.maxPeakMemory),
    pickMin((c) => c.bytesByLinkClass.intra + c.bytesByLinkClass.inter),
  ]);
  for (let i = 0; keep.size < limit && i < n; i++) keep.add(i);
  return [...keep].sort((a, b) => a - b);
}

import { TesseraError } from "../base/errors.js";
import type { Cluster } from "../cluster/cluster.js";
import type { Pricing } from "../cost/context.js";
import type { CostVector } from "../cost/simulation.js";
import { createSimulator, type Simulator } from "../cost/simulator.js";
import type { Program } from "../ir/program.js";
import { makePlan } from "../plan/make-plan.js";
import type { Plan } from "../plan/plan.js";
import { baselinePlans } from "./baseline-plans.js";
import { clusterDevices } from "./cluster-devices.js";
import { lowerBound } from "./lower-bound.js";
import { fastestCost } from "./objectives.js";
import { checkPins, type Pin, pinChoices } from "./pins.js";
import { type PlanChoice, planChoices, withChoices } from "./plan-choice.js";
import { createSearchEngine } from "./search-engine.js";
import {
  type MutatorStats,
  type ScoredPlan,
  SEARCH_RESULT_VERSION,
  type SearchResult,
} from "./search-result.js";
import { searchSpace } from "./search-space.js";

/** How long a search may run: seconds of wall clock, plan evaluations, or both (first reached wins). */
export interface SearchBudget {
  readonly seconds?: number;
  readonly evaluations?: number;
}

/** Where a running search is, reported to `onProgress`. */
export interface SearchProgress {
  readonly evaluations: number;
  readonly seconds: number;
  /** How much of the budget is spent, in [0, 1]. */
  readonly fraction: number;
  readonly frontSize: number;
  /** The fastest feasible makespan found so far (the fastest at all when none is feasible). */
  readonly bestMakespan: number;
}

/** Options of `searchPlans`. */
export interface SearchOptions {
  /** Seeds every random choice; default 0. */
  readonly seed?: number;
  /** Default 10 seconds. */
  readonly budget?: SearchBudget;
  /** Worker threads searching in parallel and sharing front improvements; default 1 (this thread). */
  readonly workers?: number;
  /** How many of the cluster's devices to plan for (its first ones); default all. */
  readonly devices?: number;
  /** Hard constraints: pinned shardings and placements. */
  readonly pins?: readonly Pin[];
  readonly pricing?: Pricing;
  /**
   * Start from the baselines (default) or, when false, from the single-device plan alone: to
   * see what the search finds without being shown data or tensor parallelism.
   */
  readonly fromBaselines?: boolean;
  /** Most plans the front keeps; default 48. */
  readonly frontCapacity?: number;
  readonly onProgress?: (progress: SearchProgress) => void;
}

/** The default budget: ten seconds. */
export const DEFAULT_BUDGET: SearchBudget = { seconds: 10 };

/**
 * Searches for the Pareto front of plans of `program` on `cluster` (see `SearchResult`).
 *
 * The search starts from the baselines (re-placed on all searched devices, pins applied), so
 * its fastest plan is never slower than any of them, and walks by local mutations (see
 * `createSearchEngine`). The same seed, budget in evaluations and worker count give the same
 * front; a budget in seconds gives an anytime search. Throws `invalid_budget`,
 * `invalid_device_count`, the pin errors of `checkPins`, and the simulator's errors.
 */
export async function searchPlans(
  program: Program,
  cluster: Cluster,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const budget = checkBudget(options.budget ?? DEFAULT_BUDGET);
  const seed = options.seed ?? 0;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new TesseraError("invalid_option", `workers must be a positive integer, found ${workers}`, {
      option: "workers",
      found: workers,
    });
  }
  const pricing = options.pricing ?? "point-to-point";
  const devices = clusterDevices(cluster, options.devices);
  const pins = options.pins ?? [];
  checkPins(program, devices, pins);
  const started = Date.now();

  const named = baselinePlans(program, cluster, devices.length);
  const starts = options.fromBaselines === false ? named.slice(0, 1) : named;
  const seeds = starts.map((b) => pinChoices(program, devices, planChoices(b.plan), pins));
  const base = createSimulator(makePlan(program, { devices }), cluster, { pricing });
  // The bound first: it refuses a program no device can compute before any worker starts.
  const bound = lowerBound(program, cluster);
  const run = workers === 1 ? runInline : (await import("./parallel-search.js")).runParallel;
  const abort = new AbortController();
  const running = run({
    program,
    cluster,
    pricing,
    devices,
    pins,
    seed,
    budget,
    workers,
    capacity: options.frontCapacity ?? 48,
    seeds,
    base,
    started,
    signal: abort.signal,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  let baselines: ScoredPlan[];
  try {
    // Parallel workers are searching by now: the baselines' costs are simulated meanwhile.
    baselines = named.map(({ name, plan }) => ({
      name,
      plan,
      cost: createSimulator(plan, cluster, { pricing }).cost(),
    }));
  } catch (error: unknown) {
    // Stop the workers before giving up, or they would keep the process alive.
    abort.abort();
    await running.catch(() => undefined);
    throw error;
  }
  const outcome = await running;

  const front = [...outcome.front]
    .sort((a, b) => a.cost.makespan - b.cost.makespan || a.cost.maxPeakMemory - b.cost.maxPeakMemory)
    .map((m, i): ScoredPlan => ({ name: `front-${i + 1}`, ...m }));
  const feasible = front.findIndex((m) => m.cost.feasible);
  const seconds = (Date.now() - started) / 1000;
  return {
    version: SEARCH_RESULT_VERSION,
    cluster,
    pricing,
    front,
    chosen: Math.max(feasible, 0),
    baselines,
    lowerBound: bound,
    stats: {
      seed,
      workers,
      evaluations: outcome.evaluations,
      seconds,
      evaluationsPerSecond: outcome.evaluations / Math.max(seconds, 1e-9),
      stoppedBy: outcome.stoppedBy,
      mutators: outcome.mutators,
    },
  };
}

/** Everything a search run needs, in this thread or in workers. */
export interface SearchRun {
  readonly program: Program;
  readonly cluster: Cluster;
  readonly pricing: Pricing;
  readonly devices: readonly string[];
  readonly pins: readonly Pin[];
  readonly seed: number;
  readonly budget: SearchBudget;
  readonly workers: number;
  readonly capacity: number;
  readonly seeds: readonly (readonly PlanChoice[])[];
  readonly base: Simulator;
  /** Wall-clock ms when the search started. */
  readonly started: number;
  /** Aborting it stops the run (its promise then rejects). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SearchProgress) => void;
}

/** What a search run found and spent. */
export interface SearchOutcome {
  readonly front: readonly { readonly plan: Plan; readonly cost: CostVector }[];
  readonly evaluations: number;
  readonly stoppedBy: "seconds" | "evaluations";
  readonly mutators: readonly MutatorStats[];
}

function checkBudget(budget: SearchBudget): SearchBudget {
  const { seconds, evaluations } = budget;
  const bad = (what: string, value: number) =>
    new TesseraError(
      "invalid_budget",
      `the search budget's ${what} must be a positive number, found ${value}`,
      {
        [what]: value,
      },
    );
  if (seconds === undefined && evaluations === undefined)
    throw new TesseraError("invalid_budget", "the search budget gives neither seconds nor evaluations", {});
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) throw bad("seconds", seconds);
  if (evaluations !== undefined && !(Number.isInteger(evaluations) && evaluations > 0))
    throw bad("evaluations", evaluations);
  return budget;
}

/** The search on this thread: one engine seeded with the baselines. */
function runInline(run: SearchRun): Promise<SearchOutcome> {
  const space = searchSpace(run.program, run.devices, run.pins);
  const engine = createSearchEngine(space, run.base, { seed: run.seed, capacity: run.capacity });
  const deadline = run.budget.seconds === undefined ? undefined : run.started + run.budget.seconds * 1000;
  // Seeding a large program takes a while: stop once the budget is spent (after the first seed).
  for (const s of run.seeds) {
    if (engine.evaluations > 0 && deadline !== undefined && Date.now() >= deadline) break;
    engine.seed(withChoices(run.base, s));
  }
  const report = progressReporter(
    run,
    () => engine.evaluations,
    () => engine.front(),
  );
  engine.run(
    {
      ...(run.budget.evaluations === undefined ? {} : { evaluations: run.budget.evaluations }),
      ...(deadline === undefined ? {} : { deadline }),
    },
    report,
  );
  report();
  return Promise.resolve({
    front: engine.front().map((m) => ({ plan: m.sim.plan, cost: m.cost })),
    evaluations: engine.evaluations,
    stoppedBy: stoppedBy(run, engine.evaluations),
    mutators: engine.choice.stats(),
  });
}

/** Which budget ended a run that spent `evaluations`. */
export function stoppedBy(run: SearchRun, evaluations: number): "seconds" | "evaluations" {
  return run.budget.evaluations !== undefined && evaluations >= run.budget.evaluations
    ? "evaluations"
    : "seconds";
}

/** A function that reports progress to `run.onProgress` (a no-op without one). */
export function progressReporter(
  run: SearchRun,
  evaluations: () => number,
  front: () => readonly { readonly cost: CostVector }[],
): () => void {
  const on = run.onProgress;
  if (on === undefined) return () => {};
  return () => {
    const seconds = (Date.now() - run.started) / 1000;
    const n = evaluations();
    const byTime = run.budget.seconds === undefined ? 0 : seconds / run.budget.seconds;
    const byEvals = run.budget.evaluations === undefined ? 0 : n / run.budget.evaluations;
    const members = front();
    const best = fastestCost(members.map((m) => m.cost));
    on({
      evaluations: n,
      seconds,
      fraction: Math.min(1, Math.max(byTime, byEvals)),
      frontSize: members.length,
      bestMakespan: best?.makespan ?? Number.POSITIVE_INFINITY,
    });
  };
}

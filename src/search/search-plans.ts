import { setImmediate as yieldToEvents } from "node:timers/promises";
import { TesseraError } from "../base/errors.js";
import type { Cluster } from "../cluster/cluster.js";
import type { Pricing } from "../cost/context.js";
import type { CostVector } from "../cost/simulation.js";
import { createSimulator } from "../cost/simulator.js";
import type { Program } from "../ir/program.js";
import { makePlan } from "../plan/make-plan.js";
import type { Plan } from "../plan/plan.js";
import { baselinePlans, strongestBaseline } from "./baselines/baseline-plans.js";
import { clusterDevices } from "./cluster-devices.js";
import { checkPins, type Pin, pinChoices } from "./engine/pins.js";
import { type PlanChoice, planChoices } from "./engine/plan-choice.js";
import { type StackWindow, stackWindow } from "./engine/stack-window.js";
import { runInline } from "./inline-search.js";
import { lowerBound } from "./lower-bound.js";
import type { SearchPool } from "./parallel/search-pool.js";
import {
  type ScoredPlan,
  SEARCH_RESULT_VERSION,
  type SearchResult,
  type StackStats,
} from "./result/search-result.js";
import type { SearchBudget, SearchProgress } from "./search-run.js";

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
  /**
   * Where the workers of a parallel search (`workers` > 1) run: default worker threads of this
   * process; the distributed executor's workers with `createDistributedSearchPool`. The same
   * seed, evaluation budget and worker count give the same front on every pool.
   */
  readonly pool?: SearchPool;
  /**
   * Cancels the search (Ctrl-C in `tessera plan`): workers stop within about one plan
   * evaluation and `searchPlans` resolves with the front found so far, `stats.stoppedBy` then
   * `aborted`. Baselines neither simulated nor evaluated as starts by then are left out of the result; the first starting plan
   * is always evaluated, so the front is never empty. Already aborted: stops at the first chance.
   */
  readonly signal?: AbortSignal;
  /**
   * Whether a program that is mostly a stack of repeated layers (4 or more copies, half of its
   * operations or more: a transformer stack) is first planned as two of its layers and the best
   * of those plans tiled over the stack as further starting plans (default true; see
   * `stackWindow` and docs/search.md). The window takes 40% of a time budget, and an
   * evaluation budget's count of its own.
   */
  readonly tileStack?: boolean;
}

/** The share of a time budget that planning a stack's two-layer window takes. */
const STACK_SHARE = 0.4;

/** The default budget: ten seconds. */
export const DEFAULT_BUDGET: SearchBudget = { seconds: 10 };

/**
 * Searches for the Pareto front of plans of `program` on `cluster` (see `SearchResult`).
 *
 * The search starts from the baselines (re-placed on all searched devices, pins applied), so
 * its fastest plan is never slower than any of them, and walks by local mutations (see
 * `createSearchEngine`). The same seed, budget in evaluations and worker count give the same
 * front; a budget in seconds gives an anytime search, and `options.signal` stops it early with
 * the front found so far. Throws `invalid_budget`,
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
  // The bound first: it refuses a program no device can compute before any worker starts.
  const bound = lowerBound(program, cluster, { devices: devices.length });
  const window = options.tileStack === false ? undefined : stackWindow(program);
  const stack =
    window === undefined ? undefined : await searchStackWindow(window, cluster, options, budget, named);
  // Tiled plans are the likeliest to be fastest: one per worker goes before the baselines (a
  // start of a 512-device plan takes seconds, and a deadline may cut the last ones off).
  const tiled = (stack?.starts ?? []).map((choices) => ({ name: undefined, choices }));
  const starts = [
    ...tiled.slice(0, workers),
    ...(options.fromBaselines === false ? named.slice(0, 1) : startOrder(named)).map((b) => ({
      name: b.name,
      choices: planChoices(b.plan),
    })),
    ...tiled.slice(workers),
  ];
  const startChoices = starts.map((s) => pinChoices(program, devices, s.choices, pins));
  const base = createSimulator(makePlan(program, { devices }), cluster, { pricing });
  const run = workers === 1 ? runInline : (await import("./parallel/parallel-search.js")).runParallel;
  const abort = new AbortController();
  const cancel = () => abort.abort();
  if (options.signal?.aborted === true) cancel();
  options.signal?.addEventListener("abort", cancel);
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
    starts: startChoices,
    base,
    started,
    signal: abort.signal,
    ...(options.onProgress === undefined
      ? {}
      : { onProgress: afterWindow(options.onProgress, budget, stack !== undefined) }),
    ...(options.pool === undefined ? {} : { pool: options.pool }),
  });
  // Marked handled now: a failing run is rethrown below, after the baselines (which yield).
  running.catch(() => undefined);
  // Most baselines are starting plans the search evaluates anyway: such a baseline takes the
  // search's cost (simulation is deterministic) rather than being simulated a second time (on
  // 512 devices the hybrid's second simulation cost 8 s of CPU beside the workers). The others
  // (a plan on fewer devices, one the pins changed) are simulated while the workers search, one
  // at a time with the event loop served in between (an abort must get through).
  const startOf = named.map(({ name, plan }) => {
    const j = starts.findIndex((s) => s.name === name);
    return j >= 0 && isStartPlan(plan, base.plan, startChoices[j]!) ? j : -1;
  });
  const simulated: (CostVector | undefined)[] = [];
  const simulate = async (i: number) => {
    simulated[i] = createSimulator(named[i]!.plan, cluster, { pricing }).cost();
    await yieldToEvents();
  };
  try {
    for (const i of named.keys()) {
      if (abort.signal.aborted) break;
      if (startOf[i]! < 0) await simulate(i);
    }
  } catch (error: unknown) {
    // Stop the workers before giving up, or they would keep the process alive.
    abort.abort();
    await running.catch(() => undefined);
    options.signal?.removeEventListener("abort", cancel);
    throw error;
  }
  const outcome = await running.finally(() => options.signal?.removeEventListener("abort", cancel));
  const baselines: ScoredPlan[] = [];
  for (const [i, { name, plan }] of named.entries()) {
    const searched = startOf[i]! < 0 ? undefined : outcome.startCosts[startOf[i]!];
    // A start that a deadline left out is simulated now, unless the search was aborted.
    if (simulated[i] === undefined && searched === undefined && !abort.signal.aborted) await simulate(i);
    const cost = simulated[i] ?? searched;
    if (cost !== undefined) baselines.push({ name, plan, cost });
  }

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
      ...(stack === undefined ? {} : { stack: stack.stats }),
    },
  };
}

/**
 * Plans `window` (two layers of the program's stack) with the search's own options on the
 * window's share of the budget, and tiles the fastest of the plans it found over the whole stack:
 * up to two per worker, distinct, each operation outside the stack planned as in the program's
 * baseline of the name that was strongest on the window (`strongestBaseline`). Pins on the window's operations bind its
 * search; all pins bind the tiled plans (applied by the caller).
 */
async function searchStackWindow(
  window: StackWindow,
  cluster: Cluster,
  options: SearchOptions,
  budget: SearchBudget,
  named: readonly { readonly name: string; readonly plan: Plan }[],
): Promise<{ starts: PlanChoice[][]; stats: StackStats }> {
  const ids = new Set(window.program.operations.map((op) => op.id));
  const { onProgress, ...shared } = options;
  const repeats = window.block.repeats;
  const found = await searchPlans(window.program, cluster, {
    ...shared,
    tileStack: false,
    pins: (options.pins ?? []).filter((p) => ids.has(p.op)),
    budget: {
      ...(budget.seconds === undefined ? {} : { seconds: budget.seconds * STACK_SHARE }),
      ...(budget.evaluations === undefined ? {} : { evaluations: budget.evaluations }),
    },
    ...(onProgress === undefined
      ? {}
      : {
          onProgress: (p) =>
            onProgress({ ...p, fraction: p.fraction * windowShare(budget), stackWindow: { repeats } }),
        }),
  });
  // The strongest feasible baseline on the window; with none, the program's first baseline.
  const best = strongestBaseline(found.baselines);
  const outside = planChoices((named.find((n) => n.name === best?.name) ?? named[0]!).plan);
  const most = 2 * (options.workers ?? 1);
  const seen = new Set<string>();
  const starts: PlanChoice[][] = [];
  for (const member of found.front) {
    if (starts.length >= most) break;
    const choices = window.tile(planChoices(member.plan), outside);
    const key = JSON.stringify(choices);
    if (seen.has(key)) continue;
    seen.add(key);
    starts.push(choices);
  }
  const first = window.program.operations[0]!.id;
  return {
    starts,
    stats: {
      firstOperation: first,
      length: window.block.length,
      repeats,
      evaluations: found.stats.evaluations,
      seconds: found.stats.seconds,
      tiled: starts.length,
    },
  };
}

/** How much of the whole search's progress the window's search stands for. */
function windowShare(budget: SearchBudget): number {
  return budget.seconds === undefined ? 0.5 : STACK_SHARE;
}

/**
 * The main search's progress after a window was planned: an evaluation budget restarts its count
 * there, so its fraction is spread over what the window left; a time budget's already counts the
 * window's time.
 */
function afterWindow(
  onProgress: (progress: SearchProgress) => void,
  budget: SearchBudget,
  windowPlanned: boolean,
): (progress: SearchProgress) => void {
  if (!windowPlanned) return onProgress;
  const share = windowShare(budget);
  return (p) =>
    onProgress({
      ...p,
      fraction: budget.seconds === undefined ? share + (1 - share) * p.fraction : Math.max(share, p.fraction),
    });
}

/**
 * Whether `plan` is the plan a search start of `choices` simulates: the search's base plan
 * (its devices and inputs) changed to make `choices`, and `plan` makes the same choices
 * (none pinned otherwise) with nothing else of its own (an order, recomputation).
 */
function isStartPlan(plan: Plan, base: Plan, choices: readonly PlanChoice[]): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (
    plan.order === undefined &&
    plan.recompute === undefined &&
    plan.program === base.program &&
    same(plan.devices, base.devices) &&
    same(plan.inputs, base.inputs) &&
    same(planChoices(plan), choices)
  );
}

/**
 * The baselines built for training steps (`trainingPlan`), the deepest ZeRO stage first: it
 * does the same compute as the others and holds the least.
 */
const TRAINING_BASELINES: readonly string[] = ["zero-2", "zero-1", "dp-allreduce"];

/**
 * The order a search evaluates its starting plans in: the baselines' order, except that a
 * training step's own baselines go first (`TRAINING_BASELINES`' order). Under a time budget a
 * worker evaluates its starts in order and may stop after the first (a start of a large
 * training step costs seconds), and the plans built for a training step are the ones most
 * worth having on its front.
 */
function startOrder<T extends { readonly name: string }>(named: readonly T[]): T[] {
  const rank = (b: T) => {
    const i = TRAINING_BASELINES.indexOf(b.name);
    return i < 0 ? TRAINING_BASELINES.length : i;
  };
  // A stable sort: the other baselines keep their order.
  return [...named].sort((a, b) => rank(a) - rank(b));
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

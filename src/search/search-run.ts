import type { Cluster } from "../cluster/cluster.js";
import type { Pricing } from "../cost/context.js";
import type { CostVector } from "../cost/simulation.js";
import type { Simulator } from "../cost/simulator.js";
import type { Program } from "../ir/program.js";
import type { Plan } from "../plan/plan.js";
import { fastestCost } from "./engine/objectives.js";
import type { Pin } from "./engine/pins.js";
import type { PlanChoice } from "./engine/plan-choice.js";
import type { SearchPool } from "./parallel/search-pool.js";
import type { MutatorStats, StopReason } from "./result/search-result.js";

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
  /**
   * Set while two layers of a stack of `repeats` are planned first (`SearchOptions.tileStack`):
   * `evaluations`, `frontSize` and `bestMakespan` are then the two layers'.
   */
  readonly stackWindow?: { readonly repeats: number };
}

/** Everything a search run needs, in this thread or in workers. */
export interface SearchRun {
  readonly program: Program;
  readonly cluster: Cluster;
  readonly pricing: Pricing;
  readonly devices: readonly string[];
  readonly pins: readonly Pin[];
  /** Seeds every random choice of the run. */
  readonly seed: number;
  readonly budget: SearchBudget;
  readonly workers: number;
  readonly capacity: number;
  /** The plans the search starts from, as choices (baselines with pins applied). */
  readonly starts: readonly (readonly PlanChoice[])[];
  readonly base: Simulator;
  /** Wall-clock ms when the search started. */
  readonly started: number;
  /** Aborting it stops the run within about one evaluation; the run then resolves with what it found. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SearchProgress) => void;
  /** Where the workers of a parallel search run; default worker threads of this process. */
  readonly pool?: SearchPool;
}

/** What a search run found and spent. */
export interface SearchOutcome {
  readonly front: readonly { readonly plan: Plan; readonly cost: CostVector }[];
  readonly evaluations: number;
  readonly stoppedBy: StopReason;
  readonly mutators: readonly MutatorStats[];
  /**
   * The cost of each of `run.starts` (by position) as the search evaluated it, `undefined` for
   * a start a deadline or an abort left out.
   */
  readonly startCosts: readonly (CostVector | undefined)[];
}

/** Which budget ended a run that spent `evaluations`, or `aborted` when its signal stopped it. */
export function stoppedBy(run: SearchRun, evaluations: number): StopReason {
  if (run.signal?.aborted === true) return "aborted";
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

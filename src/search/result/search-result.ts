import type { Cluster } from "../../cluster/cluster.js";
import type { Pricing } from "../../cost/context.js";
import type { CostVector } from "../../cost/simulation.js";
import type { Plan } from "../../plan/plan.js";
import type { LowerBound } from "../lower-bound.js";

/** What ended a search: its time budget, its evaluation budget, or its abort signal (Ctrl-C). */
export type StopReason = "seconds" | "evaluations" | "aborted";

/** The search result format version this Tessera reads and writes. */
export const SEARCH_RESULT_VERSION = 1;

/** A plan with a name and its simulated cost vector on the result's cluster. */
export interface ScoredPlan {
  /** `front-1`.. for front plans (by makespan), the baseline's name, or `ilp-optimum`. */
  readonly name: string;
  readonly plan: Plan;
  readonly cost: CostVector;
}

/** The names of the search's mutators. */
export type MutatorName =
  | "resplit"
  | "move-shard"
  | "co-locate"
  | "swap-shards"
  | "copy-neighbour"
  | "spread-layout"
  | "tile-twins"
  | "resplit-twins"
  | "recompute";

/** How often a mutator was tried, how often its child entered the front, its final probability. */
export interface MutatorStats {
  readonly name: MutatorName;
  readonly tried: number;
  readonly improved: number;
  readonly probability: number;
}

/** What the search spent and how. */
export interface SearchStats {
  readonly seed: number;
  readonly workers: number;
  readonly evaluations: number;
  readonly seconds: number;
  readonly evaluationsPerSecond: number;
  /** Which budget ended the search. */
  readonly stoppedBy: StopReason;
  readonly mutators: readonly MutatorStats[];
  /** The stack's two-layer window planned before the program, when there was one (`SearchOptions.tileStack`). */
  readonly stack?: StackStats;
}

/** What planning a stack's two-layer window spent and gave (its evaluations are not in `SearchStats.evaluations`). */
export interface StackStats {
  /** The window's first operation: the stack's first layer starts there. */
  readonly firstOperation: string;
  /** Operations per layer. */
  readonly length: number;
  /** Layers in the stack. */
  readonly repeats: number;
  /** Plans of the window simulated. */
  readonly evaluations: number;
  readonly seconds: number;
  /** Distinct tiled plans the search started from besides the baselines. */
  readonly tiled: number;
}

/** The exact optimum of the layout ILP, when it was asked for. */
export interface IlpOutcome {
  /**
   * `optimal` (plan given), `too-large` (no plan), `infeasible` (memory), or `time-limit`: no
   * plan, or the best one found (not proven optimal) with the proven `bound` beside it.
   */
  readonly status: "optimal" | "time-limit" | "too-large" | "infeasible";
  readonly seconds: number;
  readonly plan?: ScoredPlan;
  /** The ILP's own objective (its cost model's seconds) for the optimum. */
  readonly objective?: number;
  /** The model's columns (for `too-large`: the count that exceeded the cap). */
  readonly variables?: number;
  /** At `time-limit` with a plan: the solver's proven lower bound on the objective. */
  readonly bound?: number;
}

/**
 * What `tessera plan` produces: the Pareto front (makespan × peak memory × traffic, no plan on
 * it dominated by another), the plan chosen from it, the baselines and the lower bound beside
 * it, and what the search spent. All plans share one program and one cluster.
 */
export interface SearchResult {
  readonly version: typeof SEARCH_RESULT_VERSION;
  readonly cluster: Cluster;
  readonly pricing: Pricing;
  /** The front, by ascending makespan. */
  readonly front: readonly ScoredPlan[];
  /** Index into `front` of the chosen plan: the fastest feasible one (the fastest if none is). */
  readonly chosen: number;
  /** `single-device`, `data-parallel`, `megatron` (and hybrids `dp{a}xtp{b}`), each simulated. */
  readonly baselines: readonly ScoredPlan[];
  readonly optimum?: IlpOutcome;
  readonly lowerBound: LowerBound;
  readonly stats: SearchStats;
}

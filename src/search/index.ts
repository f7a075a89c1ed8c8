/** Search: the Pareto-front optimizer, baselines (single device, data parallel, Megatron, hybrids), the ILP optimum and bounds. */
export { baselinePlans, type NamedPlan, strongestBaseline } from "./baselines/baseline-plans.js";
export { dataParallelPlan } from "./baselines/data-parallel-plan.js";
export { hybridPlan } from "./baselines/hybrid-plan.js";
export { megatronPlan, type TensorParallelAxis, tensorParallelAxes } from "./baselines/megatron-plan.js";
export { singleDevicePlan } from "./baselines/single-device-plan.js";
export { clusterDevices } from "./cluster-devices.js";
export { type Layout, type LayoutChoiceOptions, layoutChoices } from "./engine/layout-choices.js";
export { MUTATORS, type Mutator, mutatorsFor } from "./engine/mutators.js";
export { dominates, type Objectives, objectivesOf } from "./engine/objectives.js";
export { checkPins, type Pin } from "./engine/pins.js";
export { type PlanChoice, planChoices, withChoices, withMember } from "./engine/plan-choice.js";
export { recomputeSimulator } from "./engine/recompute-simulator.js";
export { type SearchSpace, searchSpace } from "./engine/search-space.js";
export { ILP_DEFAULTS, type IlpOptions, ilpOptimum } from "./ilp/ilp-optimum.js";
export { type LowerBound, lowerBound } from "./lower-bound.js";
export type { SearchPool, SearchSession } from "./parallel/search-pool.js";
export type { EpochReport, SearchWorkerSetup } from "./parallel/search-worker-protocol.js";
export { threadSearchPool } from "./parallel/thread-search-pool.js";
export {
  type IlpOutcome,
  type MutatorName,
  type MutatorStats,
  type ScoredPlan,
  SEARCH_RESULT_VERSION,
  type SearchResult,
  type SearchStats,
} from "./result/search-result.js";
export {
  parseSearchResult,
  readSearchResultFile,
  type SearchResultValidation,
  searchResultToJson,
  validateSearchResult,
} from "./result/search-result-file.js";
export { DEFAULT_BUDGET, type SearchOptions, searchPlans } from "./search-plans.js";
export type { SearchBudget, SearchProgress } from "./search-run.js";

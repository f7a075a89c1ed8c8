/** Search: the Pareto-front optimizer, baselines (single device, data parallel, Megatron, hybrids), the ILP optimum and bounds. */
export { type ActivationInput, type BatchAxes, batchAxes } from "./activation-inputs.js";
export { baselinePlans, type NamedPlan } from "./baseline-plans.js";
export { clusterDevices } from "./cluster-devices.js";
export { dataParallelPlan } from "./data-parallel-plan.js";
export { type DimensionClasses, dimensionClasses, followedIndexDim } from "./dimension-classes.js";
export { hybridPlan } from "./hybrid-plan.js";
export {
  buildIlpModel,
  type IlpChoices,
  type IlpEdge,
  type IlpModel,
  type IlpModelOptions,
  ilpChoices,
  ilpEdgePairs,
  ilpMemory,
  ilpModel,
  ilpObjective,
  ilpVariableCount,
} from "./ilp-model.js";
export { ILP_DEFAULTS, type IlpOptions, ilpOptimum } from "./ilp-optimum.js";
export { type Layout, type LayoutChoiceOptions, layoutChoices } from "./layout-choices.js";
export { type LowerBound, lowerBound } from "./lower-bound.js";
export { megatronPlan, type TensorParallelAxis, tensorParallelAxes } from "./megatron-plan.js";
export { MUTATORS, type Mutator } from "./mutators.js";
export { dominates, type Objectives, objectivesOf } from "./objectives.js";
export { type ArchiveOutcome, insertIntoArchive, type Scored } from "./pareto-archive.js";
export { checkPins, type Pin } from "./pins.js";
export { type PlanChoice, planChoices, withChoices } from "./plan-choice.js";
export {
  DEFAULT_BUDGET,
  type SearchBudget,
  type SearchOptions,
  type SearchProgress,
  searchPlans,
} from "./search-plans.js";
export {
  type IlpOutcome,
  type MutatorName,
  type MutatorStats,
  type ScoredPlan,
  SEARCH_RESULT_VERSION,
  type SearchResult,
  type SearchStats,
} from "./search-result.js";
export {
  parseSearchResult,
  readSearchResultFile,
  type SearchResultValidation,
  searchResultToJson,
  validateSearchResult,
} from "./search-result-file.js";
export { type SearchSpace, searchSpace } from "./search-space.js";
export { singleDevicePlan } from "./single-device-plan.js";

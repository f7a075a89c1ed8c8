/**
 * Tessera's public API: what a user calls to go from a program to a verified run, and the types
 * those calls take and return. Each layer's full API (geometry, kernels, task graphs, probes,
 * picture pieces) is at its own entry: `tessera/zspace`, `tessera/kernels`, `tessera/plan`, ...
 * (package.json `exports`; every name is listed in docs/api-report.md).
 */

// Training: backward passes and optimizer steps, as ordinary programs.
export {
  type GradOptions,
  grad,
  type Optimizer,
  type TrainStep,
  type TrainStepOptions,
  trainStep,
} from "./autodiff/index.js";
// Errors every call may throw.
export {
  DTYPES,
  type DType,
  type Issue,
  type IssueCode,
  isTesseraError,
  renderError,
  renderIssues,
  TesseraError,
  ValidationError,
} from "./base/index.js";
// Clusters and what a plan costs on them.
export {
  type Cluster,
  clusterToJson,
  loadCluster,
  parseCluster,
  presetCluster,
  presetNames,
  validateCluster,
} from "./cluster/index.js";
export { type CostVector, createSimulator, type Simulator, simulatePlan } from "./cost/index.js";
// Running plans and checking their numbers.
export {
  type Calibration,
  calibrate,
  calibratedCluster,
  compareOutputs,
  createLocalExecutor,
  evaluateProgram,
  type LocalExecutor,
  type LocalRunResult,
  randomInputs,
  runLocal,
  tensorsFromJson,
  tensorsToJson,
  verifyTolerance,
} from "./exec/index.js";
// Programs: build, load, validate, save.
export { loadProgramFile, program, type TensorRef } from "./frontend/index.js";
export { type Operation, type Program, parseProgram, programToJson, validateProgram } from "./ir/index.js";
export { builtinRegistry, extendRegistry, loadKernelDeclarationFile } from "./kernels/index.js";

// Plans: a sharding, placement and order per operation.
export {
  makePlan,
  type OperationPlan,
  type Plan,
  type PlanRequest,
  parsePlan,
  planToJson,
  validatePlan,
} from "./plan/index.js";
// Pictures and reports.
export {
  explainPlan,
  htmlReport,
  paretoSvg,
  planToDot,
  programToDot,
  renderSvg,
  shardMapSvg,
  timelineSvg,
  writeHtmlReport,
} from "./report/index.js";
// Searching for plans, and what to hold them against.
export {
  baselinePlans,
  ilpOptimum,
  lowerBound,
  readSearchResultFile,
  type SearchOptions,
  type SearchResult,
  searchPlans,
  searchResultToJson,
  strongestBaseline,
} from "./search/index.js";

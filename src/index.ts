/**
 * Tessera's public API: what a user calls to go from a program to a verified run, and the types
 * those calls take and return. Each layer's full API (geometry, kernels, task graphs, probes,
 * picture pieces) is at its own entry: `tessera/zspace`, `tessera/kernels`, `tessera/plan`, ...
 * (package.json `exports`; every name is listed in docs/api-report.md).
 */

export {
  type GradOptions,
  grad,
  type Optimizer,
  type TrainStep,
  type TrainStepOptions,
  trainStep,
} from "./autodiff/index.js";
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
export {
  type Calibration,
  calibrate,
  calibratedCluster,
  compareOutputs,
  createDistributedExecutor,
  createLocalExecutor,
  type DistributedRunResult,
  evaluateProgram,
  type LocalExecutor,
  type LocalRunResult,
  randomInputs,
  runDistributed,
  runLocal,
  startDistributedWorker,
  tensorsFromJson,
  tensorsToJson,
  verifyTolerance,
} from "./exec/index.js";
export { exportTorch, type TorchExport, type TorchExportOptions, writeTorchExport } from "./export/index.js";
export { loadProgramFile, program, type TensorRef } from "./frontend/index.js";
export { type ImportedModel, type ImportOptions, importOnnx, importOnnxModel } from "./import/index.js";
export { type Operation, type Program, parseProgram, programToJson, validateProgram } from "./ir/index.js";
export { builtinRegistry, extendRegistry, loadKernelDeclarationFile } from "./kernels/index.js";

export {
  makePlan,
  type OperationPlan,
  type Plan,
  type PlanRequest,
  parsePlan,
  planToJson,
  validatePlan,
} from "./plan/index.js";
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

/** The simulator: plan + cluster → timeline → cost vector, with incremental re-simulation. */
export type { CollectiveKind } from "./collectives.js";
export { ringSeconds } from "./collectives.js";
export type { Pricing } from "./context.js";
export {
  type CostModel,
  DEFAULT_COST_MODEL,
  elementsPerPoint,
  type TaskWork,
  taskSeconds,
} from "./cost-model.js";
export { mapDevices } from "./device-map.js";
export { type RunShape, runOverheadSeconds } from "./executor-overheads.js";
export {
  type FidelityPoint,
  type FidelitySummary,
  fidelitySummary,
  kendallTau,
  quantile,
  regret,
  relativeError,
} from "./fidelity-metrics.js";
export { type GemmShape, gemmShape } from "./gemm-shape.js";
export { taskOverheadSeconds } from "./host-load.js";
export { COMBINE_KERNEL, kernelSeconds, kernelTable, tableSeconds } from "./kernel-time.js";
export { MEMORY_KINDS, type MemoryBreakdown, type MemoryKind, memoryKinds } from "./memory-kinds.js";
export { shapedSeconds, shapeLogFactor } from "./shape-table.js";
export {
  type CollectiveUse,
  type ComputeInterval,
  type CostVector,
  type LinkClassBytes,
  SIMULATION_VERSION,
  type Simulation,
  type SimulationOptions,
  type Timeline,
  type TransferInterval,
} from "./simulation.js";
export { createSimulator, type Simulator, simulatePlan } from "./simulator.js";

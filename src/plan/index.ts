/** Plans: sharding + placement + order, their validation, and the derived task graph and traffic. */

export { planToJson } from "./encode-plan.js";
export { deviceNames, makePlan, type PlanRequest } from "./make-plan.js";
export { copyRuns, type OpReads, PIECE_ASSEMBLED, PIECE_PART, type PieceInfo } from "./op-reads.js";
export type { OpTasks, WriterGeometry } from "./op-tasks.js";
export {
  type CombineMode,
  type InputPlacement,
  type OperationPlan,
  PLAN_VERSION,
  type Plan,
  type Recomputation,
} from "./plan.js";
export {
  derivePlanTraffic,
  type OperationChange,
  operationPlans,
  type PlanTraffic,
  pieceCount,
  planTraffic,
  taskBases,
  taskDevices,
  trafficOrder,
  withOperation,
  withOperations,
  withOperationsWithin,
} from "./plan-traffic.js";
export { Interner, type ProgramFacts, programFacts } from "./program-facts.js";
export { recomputedTensors, withoutRecompute, withRecompute } from "./recompute-plan.js";
export { rescalePlan } from "./rescale-plan.js";
export {
  type CombineTask,
  deriveTaskGraph,
  type Piece,
  type ShardTask,
  type Source,
  sourceKey,
  type Task,
  type TaskGraph,
  type TaskOutput,
  type Transfer,
  taskGraphOf,
  transferBytes,
  type Writer,
} from "./task-graph.js";
export { combineTaskId, shardTaskId } from "./task-id.js";
export { orderPositions } from "./task-order.js";
export { type PlanValidation, parsePlan, validatePlan } from "./validate-plan.js";

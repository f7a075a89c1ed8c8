/** Plans: sharding + placement + order, their validation, and the derived task graph and traffic. */

export { planToJson } from "./encode-plan.js";
export { deviceNames, makePlan, type PlanRequest } from "./make-plan.js";
export { type InputPlacement, type OperationPlan, PLAN_VERSION, type Plan } from "./plan.js";
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
  transferBytes,
  type Writer,
} from "./task-graph.js";
export { combineTaskId, shardTaskId } from "./task-id.js";
export { type PlanValidation, parsePlan, validatePlan } from "./validate-plan.js";

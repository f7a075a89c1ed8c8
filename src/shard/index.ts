/** Sharding: cutting operations along their index ranges; partial results and their combines. */
export {
  type ActivationInput,
  type BatchAxes,
  batchAxes,
  type WrittenBack,
  writtenBack,
} from "./batch-axes.js";
export { type DimensionClasses, dimensionClasses, followedIndexDim } from "./dimension-classes.js";
export { gridSharding, type OperationSharding, shardCount, wholeSharding } from "./operation-sharding.js";
export {
  type CombineGeometry,
  combineGeometry,
  type ShardGeometry,
  scatterCombines,
  shardGeometry,
} from "./shard-geometry.js";

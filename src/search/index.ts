/** Search: baselines (single device, data parallel, Megatron tensor parallel) and makespan bounds. */
export { type ActivationInput, type BatchAxes, batchAxes } from "./activation-inputs.js";
export { clusterDevices } from "./cluster-devices.js";
export { dataParallelPlan } from "./data-parallel-plan.js";
export { type DimensionClasses, dimensionClasses, followedIndexDim } from "./dimension-classes.js";
export { type LowerBound, lowerBound } from "./lower-bound.js";
export { megatronPlan, type TensorParallelAxis, tensorParallelAxes } from "./megatron-plan.js";
export { singleDevicePlan } from "./single-device-plan.js";

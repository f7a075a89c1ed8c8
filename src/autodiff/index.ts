/** Automatic differentiation: backward passes derived from kernels' declared VJPs, and training steps. */

export { forwardTensors } from "./forward-tensors.js";
export { type GradOptions, type GradProgram, grad, gradients } from "./grad.js";
export {
  type AdamOptimizer,
  checkOptimizer,
  type MomentumOptimizer,
  OPTIMIZER_STATES,
  type Optimizer,
  type SgdOptimizer,
} from "./optimizer.js";
export { CHEAP_KERNELS, type RecomputeChoice } from "./recompute.js";
export {
  cheapRecomputable,
  type RecomputedProgram,
  type RecomputeIssue,
  recomputableActivations,
  recomputeIssues,
  recomputeProgram,
} from "./recompute-program.js";
export {
  type TrainingMemory,
  type TrainStep,
  type TrainStepOptions,
  trainStep,
  trainStepProgram,
} from "./train-step.js";

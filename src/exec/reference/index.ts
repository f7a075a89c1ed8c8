/** The reference executor: unsharded evaluation with the reference kernels. */
export {
  checkInputValues,
  evaluateProgram,
  evaluateProgramWith,
  programOutputs,
  type TensorValues,
  type UnshardedStep,
} from "./evaluate.js";
export { randomInputs } from "./random-inputs.js";
export { termScales } from "./term-scales.js";

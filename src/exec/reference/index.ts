/** The reference executor: unsharded evaluation with the reference kernels. */
export { checkInputValues, evaluateProgram, programOutputs, type TensorValues } from "./evaluate.js";
export { randomInputs } from "./random-inputs.js";

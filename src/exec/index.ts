/** Executors and tensor value I/O. */

export * from "./backend/index.js";
export * from "./calibration/index.js";
export { compareOutputs, type OutputError } from "./compare-outputs.js";
export * from "./distributed/index.js";
export * from "./local/index.js";
export * from "./reference/index.js";
export { tensorsFromJson, tensorsToJson } from "./tensor-file.js";
export { formatSummary, summarizeTensor, type TensorSummary } from "./tensor-summary.js";
export { verifyTolerance, withinTolerance } from "./verify-tolerance.js";

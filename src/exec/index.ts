/** Executors and tensor value I/O. */
export * from "./reference/index.js";
export { tensorsFromJson, tensorsToJson } from "./tensor-file.js";
export { formatSummary, summarizeTensor, type TensorSummary } from "./tensor-summary.js";

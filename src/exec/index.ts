/** Executors and tensor value I/O. */

export * from "./backend/index.js";
export * from "./calibration/index.js";
export { compareOutputs, type OutputError } from "./compare-outputs.js";
export * from "./distributed/index.js";
export * from "./local/index.js";
export { type DenseArray, decodeNpy, encodeNpy } from "./npy-file.js";
export * from "./reference/index.js";
export { decodeSafetensors, encodeSafetensors, type StoredTensor } from "./safetensors-file.js";
export { tensorsFromJson, tensorsToJson } from "./tensor-file.js";
export {
  encodeTensorValues,
  MAX_BINARY_BYTES,
  type RangeLookup,
  readTensorSpec,
  readTensorValues,
  type TensorFormat,
  tensorFormat,
  writeTensorValues,
} from "./tensor-io.js";
export { formatSummary, summarizeTensor, type TensorSummary } from "./tensor-summary.js";
export { verifyTolerance, withinTolerance } from "./verify-tolerance.js";

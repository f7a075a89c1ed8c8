/** Kernel backends: how an executor computes one shard (the reference implementation, or ONNX Runtime). */
export type {
  BackendName,
  BackendStats,
  KernelBackend,
  KernelRunCounts,
  KernelRunStats,
} from "./kernel-backend.js";
export { createOnnxBackend, type OnnxBackendOptions } from "./onnx/onnx-backend.js";
export { createReferenceBackend } from "./reference-backend.js";

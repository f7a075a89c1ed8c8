import type { BackendName, KernelBackend } from "../backend/kernel-backend.js";
import { createReferenceBackend } from "../backend/reference-backend.js";

/**
 * The kernel backend one worker thread computes with. ONNX sessions get one intra-op thread:
 * the executor already runs one worker per device, and more would oversubscribe the cores.
 * Throws `backend_unavailable` (from the backend) when ONNX Runtime cannot be loaded. A
 * distributed worker process, which computes one task at a time, gives its ONNX sessions
 * `intraOpThreads` (its `--threads`).
 */
export async function openBackend(name: BackendName, intraOpThreads = 1): Promise<KernelBackend> {
  if (name === "reference") return createReferenceBackend();
  // Imported only when asked for: the ONNX modules cost start-up time a reference run never needs.
  const { createOnnxBackend } = await import("../backend/onnx/onnx-backend.js");
  return createOnnxBackend({ intraOpNumThreads: intraOpThreads });
}

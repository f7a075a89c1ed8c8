import { TesseraError } from "../../base/errors.js";
import type { BackendName } from "../backend/kernel-backend.js";

/** `threads` as given, checked to be a positive integer (`invalid_option` otherwise). */
export function checkThreads(threads: number): number {
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new TesseraError("invalid_option", `threads must be a positive integer, found ${threads}`, {
      option: "threads",
      found: String(threads),
    });
  }
  return threads;
}

/** `backend` as given, checked to name a kernel backend (`invalid_option` otherwise). */
export function checkBackend(backend: string): BackendName {
  if (backend === "reference" || backend === "onnx") return backend;
  throw new TesseraError("invalid_option", `backend must be 'reference' or 'onnx', found '${backend}'`, {
    option: "backend",
    found: backend,
  });
}

import { readDocumentFile } from "../base/document-file.js";
import type { Program } from "../ir/program.js";
import { parseProgram } from "../ir/validate-program.js";
import type { KernelRegistry } from "../kernels/registry.js";

/** Loads and validates a program file, through the same validation as `ProgramBuilder.build()`. */
export function loadProgramFile(path: string, registry: KernelRegistry): Program {
  return parseProgram(readDocumentFile(path), registry);
}

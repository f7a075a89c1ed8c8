/** The frontend: the builder API and program loaders, both producing validated IR. */

export { parseDocumentText, readDocumentFile } from "../base/document-file.js";
export type { TensorRef } from "../kernels/tensor-ref.js";
export { loadProgramFile } from "./load-program.js";
export { type OpOptions, type OutputPlacement, ProgramBuilder } from "./program-builder.js";
export { input, type ParamsOf, program, TensorProgram } from "./tensor-program.js";

/** The frontend: the builder API and program loaders, both producing validated IR. */

export { loadProgramFile, parseDocumentText, readDocumentFile } from "./load-program.js";
export { type OpOptions, type OutputPlacement, ProgramBuilder, type TensorRef } from "./program-builder.js";
export { input, type ParamsOf, program, TensorProgram } from "./tensor-program.js";

/** The operation-graph IR: program format, schema and semantic validation. */

export { decodeValidatedProgram } from "./decode-validated-program.js";
export { operationDependencies, tensorWriters, topologicalOrder } from "./dependencies.js";
export { type BoundOperands, type DerivedSignature, deriveSignature } from "./derive-signature.js";
export { programToJson } from "./encode-program.js";
export { outputCoverageDefect } from "./output-coverage.js";
export { type Operation, PROGRAM_VERSION, type Program, type Selection, type TensorDecl } from "./program.js";
export {
  findRepeatedBlocks,
  type RepeatedBlock,
  type RepeatedBlockOptions,
} from "./repeated-blocks.js";
export { type SignatureJson, signatureToJson, translateSignature } from "./signature-json.js";
export { type ProgramValidation, parseProgram, validateProgram } from "./validate-program.js";

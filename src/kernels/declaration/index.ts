/** Kernels declared as data: the declaration format, its checks, and compilation into kernel definitions. */

export {
  type AnalyzedDeclaration,
  type AnalyzedOperand,
  analyzeDeclaration,
  type DTypeRef,
} from "./analyze.js";
export {
  checkKernelDeclaration,
  compileDeclaration,
  type DeclarationCheck,
  type DeclaredSignatureDef,
  declaredKernel,
} from "./compile.js";
export {
  type DeclarationFormat,
  loadKernelDeclaration,
  loadKernelDeclarationFile,
  parseKernelDeclaration,
  readKernelDeclarationFile,
} from "./load.js";
export { paramsDecoder } from "./params.js";
export { checkDeclarationSchema, type SchemaCheck } from "./schema.js";
export { declaredSignature } from "./signature.js";
export type {
  BoxProjectionDeclaration,
  DeclaredParams,
  KernelDeclaration,
  OperandDeclaration,
  ParamDeclaration,
  ParamType,
  ProjectionDeclaration,
} from "./types.js";

/** Kernels: signatures, declarations as data, the expression language and reference numerics. */

export {
  compileDeclaration,
  type DeclaredParams,
  declaredKernel,
  type KernelDeclaration,
  loadKernelDeclaration,
  loadKernelDeclarationFile,
  parseKernelDeclaration,
  readKernelDeclarationFile,
} from "./declaration/index.js";
export type {
  AnyKernelDef,
  KernelContext,
  KernelDef,
  KernelImpl,
  ParamsDecoder,
  SignatureFn,
} from "./kernel.js";
export * from "./library/index.js";
export { type PointwiseBody, runPointwise, type ScalarFn } from "./numeric/pointwise.js";
export { makeRegion, type Region, sliceRegion, writeRegion, zeroRegion } from "./region.js";
export { checkRegistry, extendRegistry, type KernelRegistry, kernelRegistry } from "./registry.js";
export type { Monoid, OperandSignature, Reduction, Signature, TensorType } from "./signature.js";
export { MONOIDS } from "./signature.js";
export type { TensorRef } from "./tensor-ref.js";
export type { Vjp, VjpArgs, VjpEmitter } from "./vjp.js";

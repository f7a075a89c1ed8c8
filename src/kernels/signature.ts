import type { DType } from "../base/dtype.js";
import type { IndexProjection } from "../zspace/index-projection.js";
import type { ZRange } from "../zspace/z-range.js";

/** How partial results along a reduction dimension fold together. */
export type Monoid = "sum" | "max" | "min" | "prod";

/** The monoids, in a fixed order. */
export const MONOIDS: readonly Monoid[] = ["sum", "max", "min", "prod"];

/** The shape and dtype of a tensor operand, as seen by a signature. */
export interface TensorType {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** One operand of an operation: its type and the index projection onto it. */
export interface OperandSignature extends TensorType {
  /**
   * Index point → box of this operand, in the operand's own coordinates (origin 0 of its
   * shape). Callers translate it to the coordinates of the tensor selection it is bound to.
   */
  readonly projection: IndexProjection;
}

/** A reduction dimension of the index space and the monoid that folds its partial results. */
export interface Reduction {
  readonly dim: number;
  readonly monoid: Monoid;
}

/**
 * What a kernel's metakernel derives for concrete input types and params: output types, the
 * index space, one projection per operand, and the reduction dimensions. Everything sharding
 * needs, and nothing about how the kernel computes.
 */
export interface Signature {
  /** The operation's index space, from the origin. */
  readonly index: ZRange;
  /** A readable name per index dimension (`m`, `n`, `k`, `batch0`, ...), for messages. */
  readonly indexNames: readonly string[];
  /** Inputs by name, in the kernel's declared order. */
  readonly inputs: Readonly<Record<string, OperandSignature>>;
  /** Outputs by name, in the kernel's declared order. */
  readonly outputs: Readonly<Record<string, OperandSignature>>;
  /** Reduction dimensions (outputs do not depend on them; partials fold with the monoid). */
  readonly reductions: readonly Reduction[];
  /** Absent when shardable; otherwise why not (e.g. a projection that is not affine). */
  readonly unshardable?: string;
}

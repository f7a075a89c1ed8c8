import type { DType } from "../../base/dtype.js";
import type { ParamValues } from "../expr/bindings.js";
import type { Monoid } from "../signature.js";

/** Decoded params of a declared kernel: ints, floats, bools and int lists by name, defaults filled in. */
export type DeclaredParams = ParamValues;

/** The value types a declared param may have. */
export type ParamType = "int" | "int[]" | "float" | "bool";

/** A declared param: its type and, when it is optional, its default. */
export interface ParamDeclaration {
  readonly type: ParamType;
  readonly default?: number | boolean | readonly number[];
  readonly summary?: string;
}

/** An input or output: its name, shape pattern (e.g. `[$n, $d]`) and dtype (a dtype or a dtype variable). */
export interface OperandDeclaration {
  readonly name: string;
  readonly shape: string;
  readonly dtype: string;
  readonly summary?: string;
}

/** A box-form projection: the box origin per index point, and the box shape. */
export interface BoxProjectionDeclaration {
  readonly start: string;
  readonly shape: string;
}

/** A projection: a point-form list (box of ones) or a box. */
export type ProjectionDeclaration = string | BoxProjectionDeclaration;

/**
 * A kernel declared as data (`schemas/kernel-declaration.schema.json`): its operands' shape
 * patterns and dtypes, its index space, one projection per operand, the reduction dimensions,
 * and optionally a scalar `compute` body that gives it a pointwise implementation.
 */
export interface KernelDeclaration {
  readonly version: 1;
  readonly kernel: string;
  readonly summary: string;
  /** Dtype variables and the dtypes each may take: `{ T: [float32, float64] }`. */
  readonly dtypes?: Readonly<Record<string, readonly DType[]>>;
  readonly params?: Readonly<Record<string, ParamDeclaration>>;
  readonly inputs: readonly OperandDeclaration[];
  readonly outputs: readonly OperandDeclaration[];
  /** The index space, e.g. `[n: $n, m: $m, d: $d]`. */
  readonly index: string;
  /** Operand name → projection from the index space. */
  readonly projections: Readonly<Record<string, ProjectionDeclaration>>;
  /** Reduction index variable (or index group) → the monoid folding it. */
  readonly reductions?: Readonly<Record<string, Monoid>>;
  /** A scalar body over input names and `@params`, e.g. `(x - y) * (x - y)`. */
  readonly compute?: string;
  /** Input name → the kernel call computing its cotangent: the VJP declared as data. */
  readonly vjp?: Readonly<Record<string, VjpStepDeclaration>>;
}

/**
 * One input's cotangent as a call of a registered kernel: its inputs bound to the forward
 * inputs, the forward outputs, or `d<output>` (that output's cotangent); its params given, or
 * (absent) the operation's own.
 */
export interface VjpStepDeclaration {
  readonly kernel: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly params?: Readonly<Record<string, unknown>>;
}

import type { DType } from "../base/dtype.js";
import type { JsonValue } from "../base/json.js";
import type { Signature } from "../kernels/signature.js";
import type { ZRange } from "../zspace/z-range.js";

/** The program format version this Tessera reads and writes. */
export const PROGRAM_VERSION = 1;

/** A tensor of the program: id, element type and its coordinate range (any origin). */
export interface TensorDecl {
  readonly id: string;
  readonly label?: string;
  readonly dtype: DType;
  readonly range: ZRange;
}

/** A named operand of an operation bound to a box of a tensor, in the tensor's coordinates. */
export interface Selection {
  readonly name: string;
  readonly tensor: string;
  readonly range: ZRange;
}

/**
 * One application of a kernel. `signature` is the kernel's signature with every projection
 * translated into the coordinates of the tensor its operand is bound to, so a shard's regions
 * are absolute tensor boxes. `index` is the signature's index space.
 */
export interface Operation {
  readonly id: string;
  readonly kernel: string;
  readonly params: Readonly<Record<string, JsonValue>>;
  readonly inputs: readonly Selection[];
  readonly outputs: readonly Selection[];
  readonly index: ZRange;
  readonly signature: Signature;
}

/** A validated tensor program: tensors, operations, and which tensors are inputs and outputs. */
export interface Program {
  readonly version: typeof PROGRAM_VERSION;
  readonly name?: string;
  readonly tensors: readonly TensorDecl[];
  readonly operations: readonly Operation[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

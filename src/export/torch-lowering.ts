import type { DType } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import type { Signature } from "../kernels/signature.js";
import type { ZRange } from "../zspace/z-range.js";
import type { PyCode } from "./py-code.js";

/**
 * One shard as a torch lowering sees it. Every input is a torch tensor over its *needed* box
 * (the projection of the shard's index box), zeros where the box reaches past the operand's
 * selection — so convolution padding is already in the data and no op pads by itself.
 */
export interface TorchShard {
  /** The operation, for refusals. */
  readonly op: string;
  readonly kernel: string;
  readonly signature: Signature;
  readonly params: unknown;
  /** The shard's index box. */
  readonly index: ZRange;
  /** The Python name of input `name`, or undefined when the operation does not pass it. */
  input(name: string): string | undefined;
  /** The needed box of input `name`. */
  needed(name: string): ZRange;
  /** The output box and dtype the result must have. */
  readonly out: { readonly range: ZRange; readonly dtype: DType };
  /** Where the lowering writes its statements. */
  readonly code: PyCode;
}

/** Lowers a shard to torch statements and returns the Python expression of its output. */
export type TorchLowering = (shard: TorchShard) => string;

/** The `not_exportable` error for a shard a lowering cannot express, naming operation, kernel and why. */
export function refuse(shard: Pick<TorchShard, "op" | "kernel">, why: string): TesseraError {
  return new TesseraError(
    "not_exportable",
    `operation '${shard.op}' (kernel ${shard.kernel}) cannot be exported to torch: ${why}`,
    { op: shard.op, kernel: shard.kernel, target: "torch", reason: why },
  );
}

/** Input `name` of `shard`, which the kernel always passes (a refusal otherwise). */
export function required(shard: TorchShard, name: string): string {
  const v = shard.input(name);
  if (v === undefined) throw refuse(shard, `input '${name}' is missing`);
  return v;
}

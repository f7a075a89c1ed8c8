import type { IssueCollector } from "../base/issue.js";
import type { ZRange } from "../zspace/z-range.js";
import type { Region } from "./region.js";
import type { Signature, TensorType } from "./signature.js";
import type { TensorRef } from "./tensor-ref.js";
import type { VjpArgs } from "./vjp.js";

/**
 * What a kernel implementation is given. Projections in `signature` are in the same
 * (absolute) coordinates as the regions. Each input region holds at least the projection of
 * `index` intersected with the operand's selection, and nothing outside the selection: a
 * projected box reaching past the region reads zeros there (that is how convolution padding
 * works, even when the selection is a slice of a larger tensor).
 */
export interface KernelContext<P> {
  readonly params: P;
  readonly signature: Signature;
  /** The sub-box of `signature.index` to compute: the whole index space, or one shard's. */
  readonly index: ZRange;
  readonly inputs: Readonly<Record<string, Region>>;
}

/**
 * Computes every output over exactly its projection of `ctx.index`. When `ctx.index` covers
 * only part of a reduction dimension the outputs are *partial*: folding the partials of a
 * partition of that dimension with the reduction's monoid gives the full result. A term that
 * must be added once (e.g. a bias) is added only by the shard whose range starts where the
 * reduction dimension starts.
 */
export type KernelImpl<P> = (ctx: KernelContext<P>) => Record<string, Region>;

/** Derives a signature from input types and params, recording issues (paths under `path`). */
export type SignatureFn<P> = (
  inputs: Readonly<Record<string, TensorType>>,
  params: P,
  issues: IssueCollector,
  path: string,
) => Signature | undefined;

/** Decodes raw params (plain JSON) into the kernel's params type, recording issues. */
export type ParamsDecoder<P> = (raw: unknown, issues: IssueCollector, path: string) => P | undefined;

/**
 * A kernel: names, params, metakernel and reference implementation. Members use method syntax
 * on purpose: it makes `KernelDef<Conv2dParams>` a `KernelDef<unknown>`, so one registry holds
 * every kernel without casts; params only ever reach `signature`/`impl` from `decodeParams`.
 */
export interface KernelDef<P> {
  /** Unique id used in programs (`matmul`, `conv2d`, ...). */
  readonly id: string;
  /** One line for people. */
  readonly summary: string;
  /** Input names in positional order. */
  readonly inputs: readonly string[];
  /** Output names in positional order. */
  readonly outputs: readonly string[];
  /** Decodes raw params (plain JSON) with defaults, recording issues. */
  decodeParams(raw: unknown, issues: IssueCollector, path: string): P | undefined;
  /** Derives the signature from input types and params, recording issues. */
  signature(
    inputs: Readonly<Record<string, TensorType>>,
    params: P,
    issues: IssueCollector,
    path: string,
  ): Signature | undefined;
  /** The reference implementation (see `KernelImpl`). */
  impl(ctx: KernelContext<P>): Record<string, Region>;
  /**
   * The vector–Jacobian product as a composition of kernels (see `Vjp`); absent when the
   * kernel is not differentiable (`grad` then names it in a `not_differentiable` error).
   */
  vjp?(args: VjpArgs<P>): Readonly<Record<string, TensorRef | undefined>>;
}

/** A kernel of any params type, as held by a registry. */
export type AnyKernelDef = KernelDef<unknown>;

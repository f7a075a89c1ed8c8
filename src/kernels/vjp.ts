import type { TensorRef } from "./tensor-ref.js";

/**
 * How a VJP composes kernels: `call` applies a registered kernel by id to named inputs with raw
 * params (as a program stores them) and returns its `out`. The caller decides where the calls
 * go (an appended backward graph); a VJP never computes numbers itself.
 */
export interface VjpEmitter {
  call(
    kernel: string,
    inputs: Readonly<Record<string, TensorRef | undefined>>,
    params?: Readonly<Record<string, unknown>>,
  ): TensorRef;
}

/** What a kernel's VJP is given for one operation. */
export interface VjpArgs<P> {
  /** The operation's decoded params. */
  readonly params: P;
  /** The forward inputs by name (optional inputs absent when unbound). */
  readonly inputs: Readonly<Record<string, TensorRef>>;
  /** The forward outputs by name: a VJP may reuse them (exp's is its own output). */
  readonly outputs: Readonly<Record<string, TensorRef>>;
  /** The cotangent of each output (the gradient of the loss with respect to it), same shape. */
  readonly cotangents: Readonly<Record<string, TensorRef>>;
  /** The inputs whose gradients are needed; a VJP may skip the others. */
  readonly wanted: ReadonlySet<string>;
  /** Where the VJP's kernel calls go. */
  readonly emit: VjpEmitter;
}

/**
 * A kernel's vector–Jacobian product, declared as a composition of kernels: given the
 * cotangents of the outputs it emits kernel calls computing the cotangent of each wanted input
 * (shaped like that input). `matmul`'s is `da = dout · bᵀ`, `db = aᵀ · dout`, each summed back
 * over broadcast batch dimensions.
 */
export type Vjp<P> = (args: VjpArgs<P>) => Readonly<Record<string, TensorRef | undefined>>;

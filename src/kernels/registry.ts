import type { AnyKernelDef } from "./kernel.js";

/** Kernels by id: what programs may name. Plain data, passed explicitly to whoever needs it. */
export type KernelRegistry = ReadonlyMap<string, AnyKernelDef>;

/** A registry holding `kernels`; later entries with the same id replace earlier ones. */
export function kernelRegistry(kernels: Iterable<AnyKernelDef>): KernelRegistry {
  return new Map([...kernels].map((k) => [k.id, k]));
}

/** `base` plus `extra` kernels (e.g. loaded from declaration files); `extra` wins on id clashes. */
export function extendRegistry(base: KernelRegistry, extra: Iterable<AnyKernelDef>): KernelRegistry {
  return new Map([...base, ...[...extra].map((k): [string, AnyKernelDef] => [k.id, k])]);
}

import { TesseraError } from "../base/errors.js";
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

/**
 * Throws `invalid_argument` unless `registry` is a kernel registry (a Map of kernels): library
 * entry points call it first, so `parsePlan(json)` without one is a typed error, not a TypeError.
 */
export function checkRegistry(registry: unknown, caller: string): asserts registry is KernelRegistry {
  if (registry instanceof Map) return;
  const found = registry === null ? "null" : typeof registry;
  throw new TesseraError(
    "invalid_argument",
    `${caller} needs a kernel registry (e.g. builtinRegistry()) as its registry argument, found ${found}`,
    { function: caller, argument: "registry", found },
  );
}

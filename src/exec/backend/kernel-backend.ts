import type { AnyKernelDef, KernelContext } from "../../kernels/kernel.js";
import type { Region } from "../../kernels/region.js";

/** The backends an executor can choose between. */
export type BackendName = "reference" | "onnx";

/** How one kernel's runs went on a backend. */
export interface KernelRunStats {
  /** Runs computed by the backend's own machinery (ONNX Runtime for `onnx`). */
  readonly native: number;
  /** Runs computed by the kernel's reference implementation (fallbacks and degenerate shards). */
  readonly reference: number;
  /** Why runs fell back to the reference implementation: reason → number of runs. */
  readonly fallbacks: Readonly<Record<string, number>>;
}

/** Runs of one kernel by engine, without the fallback reasons: what a distributed job reports back. */
export type KernelRunCounts = Pick<KernelRunStats, "native" | "reference">;

/** A snapshot of a backend's counters since it was created. */
export interface BackendStats {
  /** Sessions (compiled graphs) created; always 0 for the reference backend. */
  readonly sessionsCreated: number;
  /** Runs that found their session (or a cached fallback decision) already built. */
  readonly cacheHits: number;
  /** Sessions released to stay under the cache capacity. */
  readonly sessionsEvicted: number;
  /** Per kernel id. */
  readonly kernels: Readonly<Record<string, KernelRunStats>>;
}

/**
 * Runs one shard of a kernel: the same contract as `KernelDef.impl` (see `KernelContext`), with
 * the same output regions, computed by some engine. The reference backend is the ground truth;
 * the backend is a choice of the executor, never of the plan. One backend serves one thread.
 */
export interface KernelBackend {
  readonly name: BackendName;
  /** The output regions of `def` over `ctx.index`, as `def.impl(ctx)` defines them. */
  run(def: AnyKernelDef, ctx: KernelContext<unknown>): Promise<Record<string, Region>>;
  /** The counters so far. */
  stats(): BackendStats;
  /** Releases every native resource; the backend must not be used afterwards. */
  dispose(): Promise<void>;
}

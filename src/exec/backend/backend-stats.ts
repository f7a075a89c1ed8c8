import type { BackendStats, KernelRunStats } from "./kernel-backend.js";

interface MutableKernelStats {
  native: number;
  reference: number;
  fallbacks: Map<string, number>;
}

/** The mutable counters behind `KernelBackend.stats()`. */
export class StatsRecorder {
  private sessionsCreated = 0;
  private cacheHits = 0;
  private sessionsEvicted = 0;
  private readonly kernels = new Map<string, MutableKernelStats>();

  /** Counts a run of `kernelId` computed natively. */
  native(kernelId: string): void {
    this.kernel(kernelId).native++;
  }

  /** Counts a run of `kernelId` computed by its reference implementation, with the fallback reason if any. */
  reference(kernelId: string, reason?: string): void {
    const k = this.kernel(kernelId);
    k.reference++;
    if (reason !== undefined) k.fallbacks.set(reason, (k.fallbacks.get(reason) ?? 0) + 1);
  }

  /** Counts a session created. */
  sessionCreated(): void {
    this.sessionsCreated++;
  }

  /** Counts a cache hit. */
  cacheHit(): void {
    this.cacheHits++;
  }

  /** Counts a session evicted. */
  sessionEvicted(): void {
    this.sessionsEvicted++;
  }

  /** An immutable copy of the counters. */
  snapshot(): BackendStats {
    const kernels: Record<string, KernelRunStats> = {};
    for (const [id, k] of this.kernels) {
      kernels[id] = { native: k.native, reference: k.reference, fallbacks: Object.fromEntries(k.fallbacks) };
    }
    return {
      sessionsCreated: this.sessionsCreated,
      cacheHits: this.cacheHits,
      sessionsEvicted: this.sessionsEvicted,
      kernels,
    };
  }

  private kernel(id: string): MutableKernelStats {
    let k = this.kernels.get(id);
    if (k === undefined) {
      k = { native: 0, reference: 0, fallbacks: new Map() };
      this.kernels.set(id, k);
    }
    return k;
  }
}

import type { BackendStats, KernelRunStats } from "../backend/kernel-backend.js";

function kernelDelta(after: KernelRunStats, before: KernelRunStats | undefined): KernelRunStats {
  const fallbacks: Record<string, number> = {};
  for (const [reason, n] of Object.entries(after.fallbacks)) {
    const d = n - (before?.fallbacks[reason] ?? 0);
    if (d > 0) fallbacks[reason] = d;
  }
  return {
    native: after.native - (before?.native ?? 0),
    reference: after.reference - (before?.reference ?? 0),
    fallbacks,
  };
}

/**
 * The counters a backend gathered between two snapshots of it (`after` taken later). Kernels
 * that did not run in between are left out, so a run's report lists only what it ran.
 */
export function backendStatsSince(before: BackendStats, after: BackendStats): BackendStats {
  const kernels: Record<string, KernelRunStats> = {};
  for (const [id, k] of Object.entries(after.kernels)) {
    const d = kernelDelta(k, before.kernels[id]);
    if (d.native > 0 || d.reference > 0) kernels[id] = d;
  }
  return {
    sessionsCreated: after.sessionsCreated - before.sessionsCreated,
    cacheHits: after.cacheHits - before.cacheHits,
    sessionsEvicted: after.sessionsEvicted - before.sessionsEvicted,
    kernels,
  };
}

// Small clusters with round numbers, so that timelines can be computed by hand.
import type { Cluster, ClusterJson } from "../../src/cluster/index.js";
import { parseCluster } from "../../src/cluster/index.js";
import { COMBINE_KERNEL } from "../../src/cost/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";

/** Round figures: 1 TFLOP/s, 100 GB/s memory, 1 µs launch; links 10 GB/s + 1 µs inside a host, 1 GB/s + 10 µs between. */
export const FIG = {
  peak: 1e12,
  memoryBandwidth: 1e11,
  launch: 1e-6,
  memory: 1e9,
  intra: { bandwidth: 1e10, latency: 1e-6 },
  inter: { bandwidth: 1e9, latency: 1e-5 },
} as const;

/** `hosts` hosts `h0`, `h1`, … of `perHost` devices each (`h0.d0`, …), with the round figures above. */
export function roundCluster(
  hosts = 1,
  perHost = 4,
  overrides: { memory?: number; float64?: boolean } = {},
): Cluster {
  const json: ClusterJson = {
    version: 1,
    kind: "cluster",
    name: "round",
    deviceTypes: {
      g: {
        peakFlops:
          overrides.float64 === false ? { float32: FIG.peak } : { float32: FIG.peak, float64: FIG.peak / 2 },
        memoryBytes: overrides.memory ?? FIG.memory,
        memoryBandwidth: FIG.memoryBandwidth,
        launchOverhead: FIG.launch,
      },
    },
    hosts: [{ id: "h", deviceType: "g", devices: perHost, count: hosts }],
    intraHost: FIG.intra,
    interHost: FIG.inter,
  };
  return parseCluster(json);
}

/** Seconds of a task on the round cluster: launch + max(flops / peak, bytes / memory bandwidth). */
export function roundSeconds(flops: number, bytes: number): number {
  return FIG.launch + Math.max(flops / FIG.peak, bytes / FIG.memoryBandwidth);
}

/** Expects two times in seconds to agree to 1e-12 relative (they are sums of a few terms). */
export function sameSeconds(found: number, expected: number): boolean {
  return Math.abs(found - expected) <= 1e-12 * Math.max(Math.abs(expected), 1e-9);
}

/**
 * Executor terms where only the workers' input copies and the size-dependent dispatch cost
 * (round figures): what `loadedCluster(…, { copies: true })` adds.
 */
export const COPYING_EXECUTOR = {
  kind: "local",
  runStart: 0,
  runStartPerTask: 0,
  load: { bandwidth: 1e10, latency: 0 },
  taskDispatch: 2e-6,
  taskDispatchPerByte: 1e-12,
  assemble: { bandwidth: 1e10, latency: 1e-6, perRun: 1e-8 },
  fetch: { bandwidth: 1e10, latency: 0 },
  runEnd: 0,
} as const;

/**
 * `hosts` hosts of `perHost` devices whose every built-in kernel (and the combine) has a table
 * alone (`busy: 1`) and one all-busy 2.5× slower: tasks change rate as their host's load changes.
 * With `copies`, the executor terms of `COPYING_EXECUTOR` too.
 */
export function loadedCluster(hosts = 2, perHost = 2, options: { copies?: boolean } = {}): Cluster {
  const kernels = [...builtinRegistry().keys(), COMBINE_KERNEL];
  const table = (busy: number | undefined, scale: number) => ({
    kernels,
    dtype: "float32" as const,
    by: "bytes" as const,
    ...(busy === undefined ? {} : { busy }),
    points: [
      [1e3, scale * 2e-6],
      [1e9, scale * 1e-2],
    ] as [number, number][],
  });
  const json: ClusterJson = {
    version: 1,
    kind: "cluster",
    name: "loaded",
    deviceTypes: {
      g: {
        peakFlops: { float32: FIG.peak, float64: FIG.peak / 2 },
        memoryBytes: FIG.memory,
        memoryBandwidth: FIG.memoryBandwidth,
        launchOverhead: FIG.launch,
        kernels: [table(1, 1), table(undefined, 2.5)],
      },
    },
    hosts: [{ id: "h", deviceType: "g", devices: perHost, count: hosts }],
    intraHost: FIG.intra,
    interHost: FIG.inter,
    ...(options.copies === true ? { executor: COPYING_EXECUTOR } : {}),
  };
  return parseCluster(json);
}

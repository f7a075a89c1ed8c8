import type { DType } from "../../base/dtype.js";
import type { KernelTable } from "../../cluster/cluster.js";
import type { ClusterJson } from "../../cluster/parse-cluster.js";
import type { Calibration } from "./calibrate.js";
import type { KernelClassProbe } from "./executor-probe.js";

/** The name of the cluster `calibratedCluster` describes. */
export const CALIBRATED_CLUSTER_NAME = "local-calibrated";

/**
 * The cluster document of a calibration: the `local` preset's shape (one host `local` of
 * `workers` devices of type `cpu-thread`) with the measured figures. Device memory is the
 * machine's memory shared out over the workers (the threads share one heap). Both link classes
 * get the measured worker-to-worker link: one machine has no inter-host traffic, but the format
 * asks for the class. The device type carries one kernel table per measured kernel class, and
 * the cluster the local executor's overheads. `sources` say how each figure was measured, where
 * and when (`date`, ISO).
 */
export function calibratedCluster(c: Calibration, date: string): ClusterJson {
  const peakFlops: Partial<Record<DType, number>> = {};
  for (const m of c.matmul) peakFlops[m.dtype] = m.flopsPerSecond;
  const link = { bandwidth: c.transfer.bandwidth, latency: c.transfer.latency };
  const engine = (t: { readonly engine: string }) =>
    t.engine === "native" ? c.backend : `${c.backend} → reference`;
  const t = c.transfer;
  return {
    version: 1,
    kind: "cluster",
    name: CALIBRATED_CLUSTER_NAME,
    description: `this machine's ${c.workers} worker threads as devices (${c.backend} backend): figures measured by tessera calibrate${c.quick ? " --quick" : ""}`,
    sources: [
      `Measured by tessera calibrate on ${date}: ${c.machine.cpu}, ${c.machine.cores} cores, ${c.machine.memoryBytes} bytes of memory, Node ${c.machine.node} (${c.machine.platform}); fastest of repeats (see docs/cost-model.md)`,
      ...c.matmul.map(
        (m) =>
          `peakFlops.${m.dtype}: ${m.shape.join("×")} matmul on the ${engine(m)} backend, ${m.seconds} s per run (fastest of ${m.repeats}), launch overhead taken off`,
      ),
      `memoryBandwidth: float32 add of ${c.memory.shape[0]} elements (inputs and output, ${c.memory.bytes} bytes) on the ${engine(c.memory)} backend, fastest of ${c.memory.repeats}`,
      `launchOverhead: one-element float32 relu on the ${engine(c.launch)} backend, fastest of ${c.launch.repeats}`,
      `memoryBytes: the machine's memory over ${c.workers} worker threads`,
      `kernels: each kernel class over a grid of shapes, inside a local executor's ${c.workers} workers with one copy per worker running at once (busy ${c.workers}) and with one copy alone (busy 1) on the ${c.backend} backend; seconds are the median worker's busy time for its task (inputs assembled, kernel, output stored; for combine, the fold of a float32 sum over [2, n] cut in two on its reduced dimension, both halves and the fold on the worker), fastest of ${c.kernels[0]?.repeats ?? 0} runs; the FLOP-keyed classes (matmul, linear, conv2d) also list every grid shape as a shape point [m, k, n, seconds] of its GEMM product${
        c.kernels.some((k) => k.engine === "reference")
          ? `; reference fallback for ${[
              ...new Set(c.kernels.filter((k) => k.engine === "reference").map((k) => k.name)),
            ].join(", ")}`
          : ""
      }`,
      `executor (local): runStart/runStartPerTask from the prepare phase of a 1-task and a ${c.executor.chain}-task run; taskDispatch: the median task's lag (sent until heard done, less busy time) in a ${c.executor.chain}-task chain of ${c.executor.taskElements}-element relus, taskDispatchBusy the same with one chain on every worker at once, taskDispatchPerByte the extra lag of a chain of ${c.executor.largeTaskElements}-element relus per extra output byte; load/fetch latency from a ${c.executor.smallElements}-element run, bandwidth from the extra time of a ${c.executor.largeElements}-element one; runEnd from the end phase; fastest of ${c.executor.repeats} warm runs`,
      ...(c.assemble === undefined
        ? []
        : [
            `executor.assemble: the extra busy time of relus reading their float32 operand from two pieces (both halves of the relu before, on the same worker) against reading it whole, one chain of ${c.assemble.chain} per worker at once, fastest of ${c.assemble.repeats} runs: latency per piece from ${c.assemble.smallElements} elements, bandwidth from the extra time of ${c.assemble.largeElements}, perRun from a ${c.assemble.rowsShape.join("×")} operand cut in column halves (a run per row and half)`,
          ]),
      `intraHost/interHost: transfers inside a local executor's run: a ${t.chain}-task relu chain alternating between two workers against the same chain on one, per transfer; latency from ${t.smallBytes}-byte regions${t.idleElements > 0 ? ` or, if larger, from a chain whose receiver idles for a ${t.idleElements}-element step (${t.idleLatency.toExponential(2)} s)` : ""}, bandwidth from the extra time of ${t.largeBytes}-byte ones (fastest of ${t.repeats}); interHost is unused on one host`,
    ],
    deviceTypes: {
      "cpu-thread": {
        peakFlops,
        memoryBytes: Math.floor(c.machine.memoryBytes / c.workers),
        memoryBandwidth: c.memory.bytesPerSecond,
        launchOverhead: c.launch.seconds,
        kernels: c.kernels.map(measuredKernelTable),
      },
    },
    hosts: [{ id: "local", deviceType: "cpu-thread", devices: c.workers }],
    intraHost: link,
    interHost: link,
    executor:
      c.assemble === undefined
        ? c.executor.overheads
        : { ...c.executor.overheads, assemble: c.assemble.cost },
  };
}

/**
 * The table of a measured kernel class: its samples by size, samples of equal size merged
 * (geometric mean of their seconds), so sizes strictly increase as the format asks. A
 * FLOP-keyed class whose samples are single products (a GEMM shape of batch 1) also lists each
 * as a shape point `[m, k, n, seconds]` (equal products merged the same way): the merged curve
 * cannot tell a skinny shard from a square one of equal FLOPs, which run up to 15% apart.
 */
export function measuredKernelTable(probe: KernelClassProbe): KernelTable {
  const bySize = new Map<number, number[]>();
  for (const s of probe.samples) bySize.set(s.size, [...(bySize.get(s.size) ?? []), s.seconds]);
  const points = [...bySize.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([size, secs]): [number, number] => [size, secs.length === 1 ? secs[0]! : geometricMean(secs)]);
  const byShape = new Map<string, { gemm: readonly [number, number, number]; seconds: number[] }>();
  for (const s of probe.samples) {
    if (probe.by !== "flops" || s.gemm === undefined || s.gemm.batch !== 1) continue;
    const { m, k, n } = s.gemm;
    const key = `${m}x${k}x${n}`;
    const entry = byShape.get(key) ?? { gemm: [m, k, n], seconds: [] };
    entry.seconds.push(s.seconds);
    byShape.set(key, entry);
  }
  const shapes = [...byShape.values()].map(({ gemm, seconds }): [number, number, number, number] => [
    ...gemm,
    geometricMean(seconds),
  ]);
  return {
    kernels: probe.kernels,
    dtype: probe.dtype,
    by: probe.by,
    points,
    busy: probe.busy,
    ...(shapes.length === 0 ? {} : { shapes }),
  };
}

function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((sum, x) => sum + Math.log(x), 0) / values.length);
}

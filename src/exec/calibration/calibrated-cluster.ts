import type { DType } from "../../base/dtype.js";
import type { ClusterJson } from "../../cluster/parse-cluster.js";
import type { Calibration } from "./calibrate.js";

/** The name of the cluster `calibratedCluster` describes. */
export const CALIBRATED_CLUSTER_NAME = "local-calibrated";

/**
 * The cluster document of a calibration: the `local` preset's shape (one host `local` of
 * `workers` devices of type `cpu-thread`) with the measured figures. Device memory is the
 * machine's memory shared out over the workers (the threads share one heap). Both link classes
 * get the measured worker-to-worker link: one machine has no inter-host traffic, but the format
 * asks for the class. `sources` say how each figure was measured, where and when (`date`, ISO).
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
      `Measured by tessera calibrate on ${date}: ${c.machine.cpu}, ${c.machine.cores} cores, ${c.machine.memoryBytes} bytes of memory, Node ${c.machine.node} (${c.machine.platform}); medians of repeats`,
      ...c.matmul.map(
        (m) =>
          `peakFlops.${m.dtype}: ${m.shape.join("×")} matmul on the ${engine(m)} backend, ${m.seconds} s per run (median of ${m.repeats}), launch overhead taken off`,
      ),
      `memoryBandwidth: float32 add of ${c.memory.shape[0]} elements (inputs and output, ${c.memory.bytes} bytes) on the ${engine(c.memory)} backend, median of ${c.memory.repeats}`,
      `launchOverhead: one-element float32 relu on the ${engine(c.launch)} backend, median of ${c.launch.repeats}`,
      `memoryBytes: the machine's memory over ${c.workers} worker threads`,
      `intraHost/interHost: ${t.workers} worker threads in a ring over MessagePorts, regions moved with transfer lists as the local executor moves them; latency: coordinator → sender → receiver → coordinator for 4 bytes (median of ${t.latencyRounds}); bandwidth: ${t.count} pieces of ${t.bytes} bytes per link with every link busy, latency taken off (median of ${t.repeats}); interHost is unused on one host`,
    ],
    deviceTypes: {
      "cpu-thread": {
        peakFlops,
        memoryBytes: Math.floor(c.machine.memoryBytes / c.workers),
        memoryBandwidth: c.memory.bytesPerSecond,
        launchOverhead: c.launch.seconds,
      },
    },
    hosts: [{ id: "local", deviceType: "cpu-thread", devices: c.workers }],
    intraHost: link,
    interHost: link,
  };
}

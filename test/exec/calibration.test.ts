import { describe, expect, it } from "vitest";
import { parseCluster } from "../../src/cluster/index.js";
import {
  type Calibration,
  calibratedCluster,
  createReferenceBackend,
  median,
  probeMatmul,
  probeTransfers,
} from "../../src/exec/index.js";

const timing = {
  kernel: "matmul",
  shape: [64, 64, 64],
  seconds: 1e-3,
  repeats: 3,
  engine: "native",
} as const;

/** A calibration with round figures, as `calibrate` would return it. */
const CALIBRATION: Calibration = {
  workers: 3,
  backend: "onnx",
  quick: true,
  machine: { cpu: "Test CPU", cores: 3, memoryBytes: 3 * 2 ** 30, node: "v20.0.0", platform: "linux-x64" },
  launch: { ...timing, kernel: "relu", shape: [1], dtype: "float32", seconds: 2e-5 },
  matmul: [
    { ...timing, dtype: "float32", flops: 1e9, flopsPerSecond: 1e11 },
    { ...timing, dtype: "float64", flops: 1e9, flopsPerSecond: 5e10 },
    { ...timing, dtype: "int32", engine: "reference", flops: 1e9, flopsPerSecond: 2e10 },
  ],
  memory: { ...timing, kernel: "add", shape: [1024], dtype: "float32", bytes: 12288, bytesPerSecond: 1e10 },
  transfer: {
    workers: 3,
    latency: 5e-5,
    latencyRounds: 20,
    bandwidth: 2e9,
    bytes: 1024,
    count: 4,
    repeats: 3,
  },
};

describe("calibratedCluster", () => {
  it("writes the measured figures into a valid one-host cluster of worker threads", () => {
    const doc = calibratedCluster(CALIBRATION, "2025-01-01T00:00:00.000Z");
    const cluster = parseCluster(doc);
    expect(cluster.devices.map((d) => d.id)).toEqual(["local.d0", "local.d1", "local.d2"]);
    expect(cluster.deviceTypes["cpu-thread"]).toEqual({
      peakFlops: { float32: 1e11, float64: 5e10, int32: 2e10 },
      memoryBytes: 2 ** 30,
      memoryBandwidth: 1e10,
      launchOverhead: 2e-5,
    });
    expect(cluster.intraHost).toEqual({ bandwidth: 2e9, latency: 5e-5 });
    expect(cluster.interHost).toEqual(cluster.intraHost);
    expect(doc.sources?.join("\n")).toContain("2025-01-01");
    // A fallback says so in the sources.
    expect(doc.sources?.join("\n")).toContain("onnx → reference");
  });
});

describe("median", () => {
  it("takes the middle value, or the mean of the middle two", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("probes", () => {
  it("times a small matmul on the reference backend", async () => {
    const backend = createReferenceBackend();
    const m = await probeMatmul(backend, "float64", { targetSeconds: 0, maxSize: 64, repeats: 1, launch: 0 });
    expect(m.shape).toEqual([64, 64, 64]);
    expect(m.flops).toBe(2 * 64 ** 3);
    expect(m.flopsPerSecond).toBeGreaterThan(0);
    expect(m.engine).toBe("reference");
  });

  it("moves pieces around a ring of three workers and ends its threads", async () => {
    const t = await probeTransfers({ workers: 3, latencyRounds: 3, bytes: 2048, count: 2, repeats: 1 });
    expect(t.workers).toBe(3);
    expect(t.latency).toBeGreaterThan(0);
    expect(t.bandwidth).toBeGreaterThan(0);
  });
});

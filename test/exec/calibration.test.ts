import { describe, expect, it } from "vitest";
import { parseCluster } from "../../src/cluster/index.js";
import {
  type Calibration,
  calibratedCluster,
  createLocalExecutor,
  createReferenceBackend,
  KERNEL_CLASSES,
  kernelProgram,
  median,
  probeAssemble,
  probeExecutor,
  probeKernelClasses,
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
    idleLatency: 4e-5,
    bandwidth: 2e9,
    chain: 8,
    smallBytes: 64,
    largeBytes: 1024,
    idleElements: 4096,
    repeats: 3,
  },
  kernels: [
    {
      name: "matmul",
      kernels: ["matmul"],
      dtype: "float32",
      by: "flops",
      repeats: 3,
      busy: 3,
      engine: "native",
      samples: [
        { shape: [64, 64, 64], size: 2 * 64 ** 3, seconds: 2e-4 },
        { shape: [128, 128, 32], size: 2 * 128 * 128 * 32, seconds: 3e-4 },
        { shape: [32, 128, 128], size: 2 * 128 * 128 * 32, seconds: 1.2e-3 },
      ],
    },
    {
      name: "layer_norm",
      kernels: ["layer_norm"],
      dtype: "float32",
      by: "bytes",
      repeats: 3,
      busy: 3,
      engine: "reference",
      samples: [{ shape: [32, 32], size: 8448, seconds: 1e-4 }],
    },
    {
      name: "matmul",
      kernels: ["matmul"],
      dtype: "float32",
      by: "flops",
      repeats: 3,
      busy: 1,
      engine: "native",
      samples: [{ shape: [64, 64, 64], size: 2 * 64 ** 3, seconds: 1e-4 }],
    },
  ],
  executor: {
    overheads: {
      kind: "local",
      runStart: 1e-3,
      runStartPerTask: 1e-5,
      load: { bandwidth: 1e9, latency: 5e-5 },
      taskDispatch: 2e-4,
      fetch: { bandwidth: 2e9, latency: 1e-4 },
      runEnd: 5e-4,
    },
    repeats: 3,
    chain: 8,
    taskElements: 4096,
    largeTaskElements: 65536,
    smallElements: 16,
    largeElements: 1024,
  },
};

describe("calibratedCluster", () => {
  it("writes the measured figures into a valid one-host cluster of worker threads", () => {
    const doc = calibratedCluster(CALIBRATION, "2025-01-01T00:00:00.000Z");
    const cluster = parseCluster(doc);
    expect(cluster.devices.map((d) => d.id)).toEqual(["local.d0", "local.d1", "local.d2"]);
    const { kernels, ...figures } = cluster.deviceTypes["cpu-thread"]!;
    expect(figures).toEqual({
      peakFlops: { float32: 1e11, float64: 5e10, int32: 2e10 },
      memoryBytes: 2 ** 30,
      memoryBandwidth: 1e10,
      launchOverhead: 2e-5,
    });
    expect(kernels!.map((k) => [k.kernels, k.dtype, k.by, k.busy, k.points.map((p) => p[0])])).toEqual([
      [["matmul"], "float32", "flops", 3, [2 * 64 ** 3, 2 * 128 * 128 * 32]],
      [["layer_norm"], "float32", "bytes", 3, [8448]],
      [["matmul"], "float32", "flops", 1, [2 * 64 ** 3]],
    ]);
    // Two shapes of equal FLOPs merge into one point: the geometric mean of their times.
    expect(kernels![0]!.points[0]![1]).toBe(2e-4);
    expect(kernels![0]!.points[1]![1]).toBeCloseTo(Math.sqrt(3e-4 * 1.2e-3), 15);
    expect(cluster.executor).toEqual(CALIBRATION.executor.overheads);
    expect(cluster.intraHost).toEqual({ bandwidth: 2e9, latency: 5e-5 });
    expect(cluster.interHost).toEqual(cluster.intraHost);
    expect(doc.sources?.join("\n")).toContain("2025-01-01");
    // A fallback says so in the sources.
    expect(doc.sources?.join("\n")).toContain("onnx → reference");
    expect(doc.sources?.join("\n")).toContain("reference fallback for layer_norm");
  });

  it("lists the single products of a FLOP-keyed class as shape points, equal products merged", () => {
    const g = (m: number, k: number, n: number, batch = 1) => ({ m, k, n, batch });
    const matmul = CALIBRATION.kernels[0]!;
    const probe = {
      ...matmul,
      samples: [
        { ...matmul.samples[0]!, gemm: g(64, 64, 64) },
        { ...matmul.samples[1]!, gemm: g(128, 128, 32) },
        { ...matmul.samples[2]!, gemm: g(32, 128, 128) },
        { ...matmul.samples[2]!, seconds: 1.3e-3, gemm: g(32, 128, 128) },
        // A batch of products has no single product's shape.
        { shape: [2, 64, 64, 64], size: 4 * 64 ** 3, seconds: 4e-4, gemm: g(64, 64, 64, 2) },
      ],
    };
    const doc = calibratedCluster(
      { ...CALIBRATION, kernels: [probe, ...CALIBRATION.kernels.slice(1)] },
      "2025-01-01",
    );
    const kernels = parseCluster(doc).deviceTypes["cpu-thread"]!.kernels!;
    expect(kernels[0]!.shapes!.map((s) => s.slice(0, 3))).toEqual([
      [64, 64, 64],
      [128, 128, 32],
      [32, 128, 128],
    ]);
    expect(kernels[0]!.shapes![2]![3]).toBeCloseTo(Math.sqrt(1.2e-3 * 1.3e-3), 15);
    // Without GEMM shapes (older probes) and for tables keyed by bytes: no shape points.
    expect(kernels[1]!.shapes).toBeUndefined();
    expect(
      parseCluster(calibratedCluster(CALIBRATION, "2025-01-01")).deviceTypes["cpu-thread"]!.kernels![0]!
        .shapes,
    ).toBeUndefined();
  });

  it("adds the measured input copies to the executor terms, and leaves them out of calibrations without them", () => {
    const assemble = {
      cost: { bandwidth: 8e9, latency: 3e-6, perRun: 4e-8 },
      repeats: 3,
      chain: 4,
      smallElements: 16,
      largeElements: 2 ** 18,
      rowsShape: [2048, 64] as const,
    };
    const doc = calibratedCluster({ ...CALIBRATION, assemble }, "2025-01-01T00:00:00.000Z");
    const cluster = parseCluster(doc);
    expect(cluster.executor).toEqual({ ...CALIBRATION.executor.overheads, assemble: assemble.cost });
    expect(doc.sources?.join("\n")).toContain("2048×64 operand cut in column halves");
    expect(parseCluster(calibratedCluster(CALIBRATION, "2025-01-01")).executor?.assemble).toBeUndefined();
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

  it("times each kernel class inside an executor's workers, one copy per worker", async () => {
    const executor = await createLocalExecutor({ threads: 2 });
    try {
      const prog = kernelProgram(KERNEL_CLASSES[0]!, [8, 4, 2], 2);
      expect(prog.operations.map((op) => [op.kernel, op.index.shape.coords])).toEqual([
        ["matmul", [8, 2, 4]],
        ["matmul", [8, 2, 4]],
      ]);
      expect(prog.outputs).toHaveLength(2);
      const classes = await probeKernelClasses(executor, { quick: true, repeats: 1 });
      expect(classes.map((c) => c.name)).toEqual(KERNEL_CLASSES.map((c) => c.name));
      for (const c of classes) {
        expect(c.samples.map((s) => s.shape)).toEqual(
          KERNEL_CLASSES.find((k) => k.name === c.name)!.quickShapes,
        );
        for (const s of c.samples) {
          expect(s.size).toBeGreaterThan(0);
          expect(s.seconds).toBeGreaterThan(0);
        }
      }
      // 2·m·n·k FLOPs, as the cost model counts a matmul, and its product's shape for the shape points.
      expect(classes[0]!.samples[0]!.size).toBe(2 * 32 ** 3);
      expect(classes[0]!.samples.map((s) => s.gemm)).toEqual(
        KERNEL_CLASSES[0]!.quickShapes.map(([m, k, n]) => ({ m, k, n, batch: 1 })),
      );
      expect(classes.find((c) => c.name === "unary")!.samples.every((s) => s.gemm === undefined)).toBe(true);
      // The fold of two n-element partials: both parts and the result, as the cost model counts a combine.
      const combine = classes.find((c) => c.name === "combine")!;
      expect(combine.kernels).toEqual(["combine"]);
      expect(combine.samples.map((s) => s.size)).toEqual([3 * 4 * 2 ** 10, 3 * 4 * 2 ** 16]);
      expect(combine.engine).toBe("native");
      expect(classes.every((c) => c.busy === 2)).toBe(true);
      // One copy alone: the table for plans that leave the other workers idle.
      const alone = await probeKernelClasses(executor, { quick: true, repeats: 1, copies: 1 });
      expect(alone.map((c) => [c.name, c.busy])).toEqual(classes.map((c) => [c.name, 1]));
      expect(alone[0]!.samples.map((s) => s.size)).toEqual(classes[0]!.samples.map((s) => s.size));
      const o = await probeExecutor(executor, {
        repeats: 1,
        chain: 4,
        taskElements: 1024,
        largeTaskElements: 8192,
        small: 16,
        large: 4096,
      });
      expect(o.overheads.kind).toBe("local");
      for (const v of [
        o.overheads.runStart,
        o.overheads.runStartPerTask,
        o.overheads.taskDispatch,
        o.overheads.taskDispatchPerByte!,
        o.overheads.runEnd,
      ])
        expect(v).toBeGreaterThanOrEqual(0);
      expect(o.overheads.load.bandwidth).toBeGreaterThan(0);
      expect(o.overheads.fetch.bandwidth).toBeGreaterThan(0);
    } finally {
      await executor.close();
    }
  });

  it("measures input copies: operands assembled from two pieces against read whole", async () => {
    const executor = await createLocalExecutor({ threads: 2 });
    try {
      const a = await probeAssemble(executor, {
        repeats: 1,
        chain: 2,
        small: 16,
        large: 4096,
        rows: [64, 64],
      });
      expect(a.rowsShape).toEqual([64, 64]);
      expect(a.cost.bandwidth).toBeGreaterThan(0);
      // Noise can make the cut chain as fast as the whole one, never a negative cost.
      expect(a.cost.latency).toBeGreaterThanOrEqual(0);
      expect(a.cost.perRun).toBeGreaterThanOrEqual(0);
    } finally {
      await executor.close();
    }
  });

  it("prices a transfer inside a run: a chain that alternates between two workers against one that stays", async () => {
    const executor = await createLocalExecutor({ threads: 3 });
    try {
      const t = await probeTransfers(executor, { chain: 4, small: 16, large: 4096, idle: 1024, repeats: 1 });
      expect(t.workers).toBe(3);
      expect(t.smallBytes).toBe(64);
      expect(t.largeBytes).toBe(16384);
      expect(t.idleElements).toBe(1024);
      expect(t.idleLatency).toBeGreaterThan(0);
      // The latency covers a transfer into an idle worker too.
      expect(t.latency).toBeGreaterThanOrEqual(t.idleLatency);
      const tight = await probeTransfers(executor, { chain: 4, small: 16, large: 4096, idle: 0, repeats: 1 });
      expect(tight.idleLatency).toBe(0);
      expect(tight.latency).toBeGreaterThan(0);
      expect(t.bandwidth).toBeGreaterThan(0);
      expect(Number.isFinite(t.bandwidth)).toBe(true);
    } finally {
      await executor.close();
    }
  });
});

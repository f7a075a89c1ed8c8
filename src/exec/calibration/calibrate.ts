import { availableParallelism, cpus, totalmem } from "node:os";
import type { DType } from "../../base/dtype.js";
import { TesseraError } from "../../base/errors.js";
import type { BackendName } from "../backend/kernel-backend.js";
import { checkBackend } from "../local/executor-options.js";
import { createLocalExecutor } from "../local/local-executor.js";
import { openBackend } from "../local/open-backend.js";
import { type AssembleProbe, probeAssemble } from "./assemble-probe.js";
import {
  type ExecutorProbe,
  type KernelClassProbe,
  probeExecutor,
  probeKernelClasses,
} from "./executor-probe.js";
import { KERNEL_CLASSES } from "./kernel-grid.js";
import {
  type BandwidthProbe,
  type KernelTiming,
  type MatmulProbe,
  probeLaunchOverhead,
  probeMatmul,
  probeMemoryBandwidth,
} from "./kernel-probe.js";
import { probeTransfers, type TransferProbe } from "./transfer-probe.js";

/** Options of `calibrate`. */
export interface CalibrateOptions {
  /** Worker threads, i.e. devices of the cluster (2 to 256); default `os.availableParallelism()`, at least 2. */
  readonly workers?: number;
  /** Fewer and smaller repeats: seconds instead of tens of seconds, noisier figures. */
  readonly quick?: boolean;
  /** The kernel backend the figures are for (the one `tessera run --backend` will use); default `onnx`. */
  readonly backend?: string;
  /** Called before each step and once at the end (`done === total`). */
  readonly onProgress?: (step: string, done: number, total: number) => void;
}

/** The machine the figures were measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly platform: string;
}

/** What `calibrate` measured, every figure with how it was measured. */
export interface Calibration {
  readonly workers: number;
  readonly backend: BackendName;
  readonly quick: boolean;
  readonly machine: MachineInfo;
  readonly launch: KernelTiming;
  /** One per dtype: float32, float64, int32. */
  readonly matmul: readonly MatmulProbe[];
  readonly memory: BandwidthProbe;
  readonly transfer: TransferProbe;
  /** Each kernel class over its grid of shapes, timed in the executor's workers. */
  readonly kernels: readonly KernelClassProbe[];
  /** What the local executor adds around kernels. */
  readonly executor: ExecutorProbe;
  /** The input copies its workers make before kernels; absent in calibrations made before it was measured. */
  readonly assemble?: AssembleProbe;
}

/** The dtypes whose matmul rate is measured, in cluster-file order. */
export const CALIBRATED_DTYPES: readonly DType[] = ["float32", "float64", "int32"];

/** The most worker threads `calibrate` accepts. */
export const MAX_CALIBRATION_WORKERS = 256;

/**
 * Measures this machine as the local executor uses it: the kernel launch overhead (a
 * one-element kernel), matmul throughput per dtype and memory bandwidth (a large elementwise
 * add) on `backend` — where the backend's engine cannot run a kernel it falls back to the
 * reference implementation, as in a run, and the figure says so — the transfer latency and
 * bandwidth between `workers` worker threads moving regions as the executor does, every kernel
 * class over a grid of shapes timed inside a local executor's `workers` workers (the kernel
 * tables), what that executor adds around kernels, and the copies its workers make of a
 * task's inputs before the kernel. Every figure is the fastest of repeats (`fastest`). Throws `invalid_option` for a worker count outside 2..256 or an
 * unknown backend, and `backend_unavailable` when ONNX Runtime cannot be loaded.
 */
export async function calibrate(options: CalibrateOptions = {}): Promise<Calibration> {
  const { workers, backend: backendName } = checkCalibrateOptions(options);
  const quick = options.quick ?? false;
  const steps = [
    "launch overhead",
    ...CALIBRATED_DTYPES.map((d) => `${d} matmul`),
    "memory bandwidth",
    "transfers",
    ...KERNEL_CLASSES.map((k) => `${k.name} kernels`),
    "kernels, one worker alone",
    "executor overheads",
    "input copies",
  ];
  let step = 0;
  const progress = () => options.onProgress?.(steps[step] ?? "done", step++, steps.length);
  const backend = await openBackend(backendName);
  try {
    progress();
    const launch = await probeLaunchOverhead(backend, quick ? 30 : 200);
    const matmul: MatmulProbe[] = [];
    for (const dtype of CALIBRATED_DTYPES) {
      progress();
      matmul.push(
        await probeMatmul(backend, dtype, {
          targetSeconds: quick ? 0.01 : 0.1,
          maxSize: quick ? 512 : 2048,
          repeats: quick ? 3 : 5,
          launch: launch.seconds,
        }),
      );
    }
    progress();
    const memory = await probeMemoryBandwidth(backend, {
      elements: quick ? 2 ** 18 : 2 ** 22,
      repeats: quick ? 3 : 5,
      launch: launch.seconds,
    });
    progress();
    const executor = await createLocalExecutor({ threads: workers, backend: backendName });
    try {
      const transfer = await probeTransfers(executor, {
        chain: quick ? 8 : 16,
        small: 16,
        large: quick ? 2 ** 18 : 2 ** 20,
        idle: quick ? 2 ** 14 : 2 ** 18,
        repeats: quick ? 3 : 9,
      });
      const repeats = quick ? 3 : 5;
      // Every worker busy (a balanced run), then one alone (a plan that leaves the others idle).
      const allBusy = await probeKernelClasses(executor, { quick, repeats, onClass: () => progress() });
      progress();
      const alone = await probeKernelClasses(executor, { quick, repeats, copies: 1 });
      const kernels = [...allBusy, ...alone];
      progress();
      const overheads = await probeExecutor(executor, {
        repeats: quick ? 3 : 9,
        chain: quick ? 8 : 32,
        taskElements: quick ? 2 ** 12 : 2 ** 17,
        largeTaskElements: quick ? 2 ** 16 : 2 ** 20,
        small: 16,
        large: quick ? 2 ** 18 : 2 ** 22,
      });
      progress();
      const assemble = await probeAssemble(executor, {
        repeats: quick ? 3 : 9,
        chain: quick ? 4 : 8,
        small: 16,
        large: quick ? 2 ** 18 : 2 ** 20,
        rows: quick ? [2 ** 11, 64] : [2 ** 13, 64],
      });
      progress();
      return {
        workers,
        backend: backendName,
        quick,
        machine: machineInfo(),
        launch,
        matmul,
        memory,
        transfer,
        kernels,
        executor: overheads,
        assemble,
      };
    } finally {
      await executor.close();
    }
  } finally {
    await backend.dispose();
  }
}

/**
 * The worker count and backend `calibrate` will use, checked: `invalid_option` for a worker
 * count outside 2..256 or an unknown backend. Callers that must fail before side effects
 * (creating an output folder) call it first.
 */
export function checkCalibrateOptions(options: CalibrateOptions): { workers: number; backend: BackendName } {
  const workers = options.workers ?? Math.max(2, availableParallelism());
  if (!Number.isSafeInteger(workers) || workers < 2 || workers > MAX_CALIBRATION_WORKERS) {
    throw new TesseraError(
      "invalid_option",
      `workers must be an integer from 2 to ${MAX_CALIBRATION_WORKERS} (transfers need two threads), found ${workers}`,
      { option: "workers", found: String(workers) },
    );
  }
  return { workers, backend: checkBackend(options.backend ?? "onnx") };
}

function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? "unknown CPU",
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

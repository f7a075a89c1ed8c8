import { availableParallelism } from "node:os";
import { TesseraError } from "../../base/errors.js";
import { programToJson } from "../../ir/encode-program.js";
import type { Region } from "../../kernels/region.js";
import type { KernelRegistry } from "../../kernels/registry.js";
import type { Plan } from "../../plan/plan.js";
import { deriveTaskGraph, transferBytes } from "../../plan/task-graph.js";
import type { BackendName } from "../backend/kernel-backend.js";
import { checkInputValues } from "../reference/evaluate.js";
import { LocalExecution, type ThreadReport } from "./local-execution.js";
import type { FaultInjection } from "./protocol.js";
import { mapDevicesToThreads } from "./thread-map.js";
import { checkWorkerKernels } from "./worker-kernels.js";

/** Options of `runLocal`. */
export interface LocalRunOptions {
  /** The registry the plan's program was validated with; default the built-ins plus `kernelFiles`. */
  readonly registry?: KernelRegistry;
  /** Cap on OS threads; default min(#devices, os.availableParallelism()). Devices share threads beyond it. */
  readonly threads?: number;
  /** How workers compute kernels; default `reference`. */
  readonly backend?: BackendName;
  /** Kernel declaration files workers load to rebuild a registry with declared kernels. */
  readonly kernelFiles?: readonly string[];
  /** Called after each task completes, with tasks done and total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Testing hook only: fail one task on purpose (see `FaultInjection`). */
  readonly faultInjection?: FaultInjection;
}

/** Counters of a local run. */
export interface LocalRunStats {
  readonly wallMs: number;
  readonly tasks: number;
  /** Bytes of transfers, counted by the receiving devices as they arrived. */
  readonly bytesMoved: number;
  /** Bytes of the task graph's derived transfers: always equal to `bytesMoved`. */
  readonly bytesDerived: number;
  readonly transfersMoved: number;
  readonly perThread: readonly ThreadReport[];
  readonly backend: BackendName;
}

/** The program outputs of a local run, assembled from their final writers, and its counters. */
export interface LocalRunResult {
  readonly outputs: Record<string, Region>;
  readonly stats: LocalRunStats;
}

function threadCap(threads: number | undefined, devices: number): number {
  if (threads === undefined) return Math.max(1, Math.min(devices, availableParallelism()));
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new TesseraError("invalid_option", `threads must be a positive integer, found ${threads}`, {
      option: "threads",
      found: String(threads),
    });
  }
  return threads;
}

function checkBackend(backend: string): BackendName {
  if (backend === "reference" || backend === "onnx") return backend;
  throw new TesseraError("invalid_option", `backend must be 'reference' or 'onnx', found '${backend}'`, {
    option: "backend",
    found: backend,
  });
}

/**
 * Runs a plan on worker threads, one per device up to the `threads` cap (devices dealt over
 * threads round-robin). Each worker holds its devices' data, runs their tasks one at a time in
 * graph order, and sends exactly the derived transfer regions straight to the receiving
 * thread; partial results are folded by the planned combine tasks. Resolves with the program
 * outputs; rejects with `task_failed` (a task threw, naming it) or `worker_crashed` (a thread
 * died, naming it), after terminating every worker. Inputs are checked like the reference
 * evaluator's (`missing_input`, `input_mismatch`); options with `invalid_option`.
 *
 * Example: `await runLocal(makePlan(program, { devices: ["d0", "d1"], splits }), randomInputs(program, 1))`.
 */
export async function runLocal(
  plan: Plan,
  inputs: Readonly<Record<string, Region>>,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  const started = performance.now();
  checkInputValues(plan.program, inputs);
  const cap = threadCap(options.threads, plan.devices.length);
  const backend = checkBackend(options.backend ?? "reference");
  const kernelFiles = checkWorkerKernels(plan.program, options.registry, options.kernelFiles ?? []);
  const graph = deriveTaskGraph(plan);
  const fault = options.faultInjection ?? null;
  if (fault !== null && !graph.tasks.some((t) => t.id === fault.task)) {
    throw new TesseraError(
      "invalid_option",
      `faultInjection names '${fault.task}', which is not a task of the plan`,
      {
        option: "faultInjection",
        found: fault.task,
      },
    );
  }
  const execution = new LocalExecution({
    plan,
    program: programToJson(plan.program),
    graph,
    inputs,
    map: mapDevicesToThreads(plan.devices, cap),
    kernelFiles,
    backend,
    fault,
    onProgress: options.onProgress,
  });
  try {
    const report = await execution.run();
    return {
      outputs: report.outputs,
      stats: {
        wallMs: performance.now() - started,
        tasks: graph.tasks.length,
        bytesMoved: report.bytesMoved,
        bytesDerived: transferBytes(graph),
        transfersMoved: report.transfersMoved,
        perThread: report.threads,
        backend,
      },
    };
  } finally {
    await execution.terminate();
  }
}

import { availableParallelism } from "node:os";
import type { Region } from "../../kernels/region.js";
import type { Plan } from "../../plan/plan.js";
import type { BackendName } from "../backend/kernel-backend.js";
import { checkBackend, checkThreads } from "./executor-options.js";
import { PooledExecutor } from "./local-executor.js";
import { type LocalExecutorRunOptions, prepareRun } from "./prepare-run.js";
import type { LocalRunResult } from "./run-result.js";
import { mapDevicesToThreads } from "./thread-map.js";
import { loadWorkerKernels } from "./worker-kernels.js";

/** Options of `runLocal`. */
export interface LocalRunOptions extends LocalExecutorRunOptions {
  /** Cap on OS threads; default min(#devices, os.availableParallelism()). Devices share threads beyond it. */
  readonly threads?: number;
  /** How workers compute kernels; default `reference`. */
  readonly backend?: BackendName;
  /** Kernel declaration files workers load to rebuild a registry with declared kernels. */
  readonly kernelFiles?: readonly string[];
}

/**
 * Runs a plan on worker threads, one per device up to the `threads` cap (devices dealt over
 * threads round-robin). Each worker holds its devices' data, runs their tasks one at a time in
 * graph order, and sends exactly the derived transfer regions straight to the receiving
 * thread; partial results are folded by the planned combine tasks. Resolves with the program
 * outputs; rejects with `task_failed` (a task threw, naming it) or `worker_crashed` (a thread
 * died, naming it), after terminating every worker. Inputs are checked like the reference
 * evaluator's (`missing_input`, `input_mismatch`); options with `invalid_option`, all before
 * any thread starts.
 *
 * A one-shot `createLocalExecutor` → `run` → `close`: every call starts its threads and opens
 * their backends anew. To run several plans, keep an executor (`createLocalExecutor`).
 *
 * Example: `await runLocal(makePlan(program, { devices: ["d0", "d1"], splits }), randomInputs(program, 1))`.
 */
export async function runLocal(
  plan: Plan,
  inputs: Readonly<Record<string, Region>>,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  const backend = checkBackend(options.backend ?? "reference");
  const cap =
    options.threads === undefined
      ? Math.max(1, Math.min(plan.devices.length, availableParallelism()))
      : checkThreads(options.threads);
  const kernels = loadWorkerKernels(options.kernelFiles ?? []);
  const prepared = prepareRun(plan, inputs, options, kernels);
  const threads = mapDevicesToThreads(plan.devices, cap).threads;
  const started = performance.now();
  const executor = await PooledExecutor.start({ threads, backend, kernels });
  try {
    return await executor.execute(prepared, performance.now() - started);
  } finally {
    await executor.close();
  }
}

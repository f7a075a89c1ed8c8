import { TesseraError } from "../../base/errors.js";
import type { JsonValue } from "../../base/json.js";
import { programToJson } from "../../ir/encode-program.js";
import type { Region } from "../../kernels/region.js";
import type { KernelRegistry } from "../../kernels/registry.js";
import type { Plan } from "../../plan/plan.js";
import { deriveTaskGraph, type TaskGraph } from "../../plan/task-graph.js";
import { checkInputValues } from "../reference/evaluate.js";
import type { FaultInjection } from "./protocol.js";
import { checkWorkerKernels, type WorkerKernels } from "./worker-kernels.js";

/** Options of one run on a local executor. */
export interface LocalExecutorRunOptions {
  /** The registry the plan's program was validated with; default the built-ins plus the executor's `kernelFiles`. */
  readonly registry?: KernelRegistry;
  /** Called after each task completes, with tasks done and total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Testing hook only: fail one task on purpose (see `FaultInjection`). */
  readonly faultInjection?: FaultInjection;
  /**
   * Keep this run's program-input regions loaded in the workers after it, and reuse those kept
   * by an earlier run with `keepInputs` when given the very same input values again (the same
   * region objects with the same data arrays, for the same device and box), instead of copying
   * them into the workers anew. Only for inputs whose values do not change in between: the
   * executor cannot see a change made in place. A run without it drops what was kept (on the
   * threads it uses). Default false: every run copies its inputs.
   */
  readonly keepInputs?: boolean;
}

/** A run checked and ready to execute: its task graph derived, its program encoded for the workers. */
export interface PreparedRun {
  readonly plan: Plan;
  readonly program: JsonValue;
  readonly graph: TaskGraph;
  readonly inputs: Readonly<Record<string, Region>>;
  readonly fault: FaultInjection | null;
  readonly onProgress: ((done: number, total: number) => void) | undefined;
  readonly keepInputs: boolean;
  /** Time spent checking and deriving. */
  readonly prepareMs: number;
}

/**
 * Checks a run before any worker hears of it: inputs like the reference evaluator's
 * (`missing_input`, `input_mismatch`), kernels the workers can rebuild (`unknown_kernel`), and
 * a fault injection naming a task of the plan (`invalid_option`); then derives the task graph.
 */
export function prepareRun(
  plan: Plan,
  inputs: Readonly<Record<string, Region>>,
  options: LocalExecutorRunOptions,
  kernels: WorkerKernels,
): PreparedRun {
  const started = performance.now();
  checkInputValues(plan.program, inputs);
  checkWorkerKernels(plan.program, options.registry, kernels);
  const graph = deriveTaskGraph(plan);
  const fault = options.faultInjection ?? null;
  if (fault !== null && !graph.tasks.some((t) => t.id === fault.task)) {
    throw new TesseraError(
      "invalid_option",
      `faultInjection names '${fault.task}', which is not a task of the plan`,
      { option: "faultInjection", found: fault.task },
    );
  }
  return {
    plan,
    program: programToJson(plan.program),
    graph,
    inputs,
    fault,
    onProgress: options.onProgress,
    keepInputs: options.keepInputs === true,
    prepareMs: performance.now() - started,
  };
}

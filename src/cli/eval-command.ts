import type { BackendName } from "../exec/backend/kernel-backend.js";
import { openBackend } from "../exec/local/open-backend.js";
import { evaluateProgramWith, programOutputs } from "../exec/reference/evaluate.js";
import { writeTensorValues } from "../exec/tensor-io.js";
import { formatSummary, summarizeTensor } from "../exec/tensor-summary.js";
import { loadProgramFile } from "../frontend/load-program.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { EVAL_WARN_SECONDS, evalEstimate, formatDuration } from "./eval-estimate.js";
import { progressBar } from "./progress-bar.js";
import { commandInputs, FORMAT_NAMES } from "./tensor-options.js";

/** Options of `tessera eval`. */
export interface EvalOptions {
  readonly seed: number;
  /** Input value files (tensor file, `.safetensors`, `[name=]file.npy`); random inputs when absent. */
  readonly inputs?: readonly string[];
  readonly out?: string;
  /** The kernels: the reference (the slow ground truth, the default) or ONNX Runtime. */
  readonly backend?: BackendName;
}

/**
 * Evaluates a program file unsharded and prints one summary line per output. Before a run the
 * size estimate puts at minutes, it says so on stderr (and, for the reference, that
 * `--backend onnx` is faster); on a terminal, a progress bar counts the operations.
 */
export async function evalProgramFile(
  file: string,
  opts: EvalOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): Promise<void> {
  const backendName = opts.backend ?? "reference";
  const program = loadProgramFile(file, registry);
  const inputs = commandInputs(program, opts.inputs, opts.seed);
  const estimate = evalEstimate(program);
  const seconds = estimate.seconds[backendName];
  if (seconds >= EVAL_WARN_SECONDS) {
    const hint =
      backendName === "reference"
        ? ` (--backend onnx: about ${formatDuration(estimate.seconds.onnx)}; the reference is the slow ground truth)`
        : "";
    process.stderr.write(
      `note: about ${estimate.steps.toExponential(1)} kernel steps; the ${backendName} kernels may take ${formatDuration(seconds)}${hint}\n`,
    );
  }
  const backend = await openBackend(backendName);
  const bar = progressBar("evaluating", process.stderr);
  let done = 0;
  const started = performance.now();
  const values = await evaluateProgramWith(program, inputs, registry, async (def, ctx) => {
    const result = await backend.run(def, ctx);
    bar.update(++done, program.operations.length);
    return result;
  }).finally(() => {
    bar.done();
    return backend.dispose();
  });
  const ms = performance.now() - started;
  const outputs = programOutputs(program, values);
  const source =
    opts.inputs === undefined || opts.inputs.length === 0
      ? `random inputs, seed ${opts.seed}`
      : `inputs from ${opts.inputs.join(", ")}`;
  out(
    `evaluated '${program.name ?? file}' (${program.operations.length} operations, ${source}, ${backendName} kernels) in ${ms.toFixed(0)} ms\n`,
  );
  for (const [id, r] of Object.entries(outputs)) out(`  ${formatSummary(id, summarizeTensor(r))}\n`);
  if (opts.out !== undefined) {
    out(`outputs written to ${opts.out} (${FORMAT_NAMES[writeTensorValues(opts.out, outputs)]})\n`);
  }
}

import { evaluateProgram, programOutputs } from "../exec/reference/evaluate.js";
import { randomInputs } from "../exec/reference/random-inputs.js";
import { readTensorValues, writeTensorValues } from "../exec/tensor-io.js";
import { formatSummary, summarizeTensor } from "../exec/tensor-summary.js";
import { loadProgramFile } from "../frontend/load-program.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { FORMAT_NAMES, programRanges } from "./tensor-options.js";

/** Options of `tessera eval`. */
export interface EvalOptions {
  readonly seed: number;
  /** Input value files (tensor file, `.safetensors`, `[name=]file.npy`); random inputs when absent. */
  readonly inputs?: readonly string[];
  readonly out?: string;
}

/** Evaluates a program file with the reference executor and prints one summary line per output. */
export function evalProgramFile(
  file: string,
  opts: EvalOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): void {
  const program = loadProgramFile(file, registry);
  const inputs =
    opts.inputs === undefined || opts.inputs.length === 0
      ? randomInputs(program, opts.seed)
      : readTensorValues(opts.inputs, programRanges(program));
  const started = performance.now();
  const values = evaluateProgram(program, inputs, registry);
  const ms = performance.now() - started;
  const outputs = programOutputs(program, values);
  const source =
    opts.inputs === undefined || opts.inputs.length === 0
      ? `random inputs, seed ${opts.seed}`
      : `inputs from ${opts.inputs.join(", ")}`;
  out(
    `evaluated '${program.name ?? file}' (${program.operations.length} operations, ${source}) in ${ms.toFixed(0)} ms\n`,
  );
  for (const [id, r] of Object.entries(outputs)) out(`  ${formatSummary(id, summarizeTensor(r))}\n`);
  if (opts.out !== undefined) {
    out(`outputs written to ${opts.out} (${FORMAT_NAMES[writeTensorValues(opts.out, outputs)]})\n`);
  }
}

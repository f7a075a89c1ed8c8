import { readDocumentFile } from "../base/document-file.js";
import { writeTextFile } from "../base/write-text-file.js";
import { evaluateProgram, programOutputs } from "../exec/reference/evaluate.js";
import { randomInputs } from "../exec/reference/random-inputs.js";
import { tensorsFromJson, tensorsToJson } from "../exec/tensor-file.js";
import { formatSummary, summarizeTensor } from "../exec/tensor-summary.js";
import { loadProgramFile } from "../frontend/load-program.js";
import type { KernelRegistry } from "../kernels/registry.js";

/** Options of `tessera eval`. */
export interface EvalOptions {
  readonly seed: number;
  readonly inputs?: string;
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
    opts.inputs === undefined
      ? randomInputs(program, opts.seed)
      : tensorsFromJson(readDocumentFile(opts.inputs));
  const started = performance.now();
  const values = evaluateProgram(program, inputs, registry);
  const ms = performance.now() - started;
  const outputs = programOutputs(program, values);
  const source =
    opts.inputs === undefined ? `random inputs, seed ${opts.seed}` : `inputs from ${opts.inputs}`;
  out(
    `evaluated '${program.name ?? file}' (${program.operations.length} operations, ${source}) in ${ms.toFixed(0)} ms\n`,
  );
  for (const [id, r] of Object.entries(outputs)) out(`  ${formatSummary(id, summarizeTensor(r))}\n`);
  if (opts.out !== undefined) {
    writeTextFile(opts.out, `${JSON.stringify(tensorsToJson(outputs))}\n`, {
      what: "--out file",
      createFolder: false,
    });
    out(`outputs written to ${opts.out} (tensor file format: schemas/tensors.schema.json)\n`);
  }
}

import { join } from "node:path";
import { readDocumentFile } from "../base/document-file.js";
import { TesseraError } from "../base/errors.js";
import { readTensorValues, writeTensorValues } from "../exec/tensor-io.js";
import { exportTorch, writeTorchExport } from "../export/export-torch.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { parsePlan } from "../plan/validate-plan.js";
import { formatBytes } from "../report/units.js";
import { programRanges } from "./tensor-options.js";

/** Options of `tessera export`. */
export interface ExportOptions {
  readonly target: string;
  readonly out: string;
  /** Input values to ship beside the script as `inputs.safetensors`. */
  readonly inputs: readonly string[];
  /** Move everything point to point, even where the simulator recognises a collective. */
  readonly pointToPoint: boolean;
}

/** The export targets. */
export const EXPORT_TARGETS = ["torch"] as const;

/**
 * Exports a plan file for another runtime: writes `plan.py` and `traffic.json` into `opts.out`
 * (and `inputs.safetensors` when `--inputs` are given), then prints how to run it.
 */
export function exportPlanFile(
  file: string,
  opts: ExportOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): void {
  if (!(EXPORT_TARGETS as readonly string[]).includes(opts.target))
    throw new TesseraError(
      "invalid_argument",
      `--target must be one of ${EXPORT_TARGETS.join(", ")}, found '${opts.target}'`,
      {
        option: "target",
        found: opts.target,
      },
    );
  const plan = parsePlan(readDocumentFile(file), registry);
  const exported = exportTorch(plan, registry, { collectives: !opts.pointToPoint });
  const script = writeTorchExport(opts.out, exported);
  let inputsArg = "";
  if (opts.inputs.length > 0) {
    const values = readTensorValues(opts.inputs, programRanges(plan.program));
    const path = join(opts.out, "inputs.safetensors");
    writeTensorValues(path, values, "the inputs file");
    inputsArg = ` --inputs ${path}`;
  }
  out(
    `exported '${plan.program.name ?? file}' for torch.distributed: ${exported.ranks} ranks, ${formatBytes(exported.bytes)} of derived transfers${exported.collectives > 0 ? ` (${exported.collectives} collectives)` : ""}\n`,
  );
  out(`  ${script}\n`);
  out(
    `run it with:\n  torchrun --nproc_per_node=${exported.ranks} ${script}${inputsArg} --out outputs.safetensors\n`,
  );
  out(`or on this machine alone:\n  python3 ${script} --local${inputsArg} --out outputs.safetensors\n`);
}

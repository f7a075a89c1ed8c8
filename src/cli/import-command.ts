import { CommanderError } from "commander";
import { throwIfIssues } from "../base/errors.js";
import { IssueCollector } from "../base/issue.js";
import { pointer } from "../base/json.js";
import { readFileBytes } from "../base/read-text-file.js";
import { writeTextFile } from "../base/write-text-file.js";
import { checkInputValues } from "../exec/reference/evaluate.js";
import { tensorsToJson } from "../exec/tensor-file.js";
import { readTensorValues, writeTensorValues } from "../exec/tensor-io.js";
import { type ImportedModel, importOnnx, type RecognisedPattern } from "../import/import-onnx.js";
import { programToJson } from "../ir/encode-program.js";
import type { Region } from "../kernels/region.js";
import { FORMAT_NAMES, programRanges } from "./tensor-options.js";

/** Options of `tessera import`. */
export interface ImportCommandOptions {
  /** Where the program goes. */
  readonly out: string;
  /** Where the initializer values go (default: beside the program, `<name>.weights.json`). */
  readonly weights?: string;
  /** Sizes of symbolic dimensions. */
  readonly dims: Readonly<Record<string, number>>;
  /**
   * A tensor file with values for the model's data inputs: with it, a complete inputs file
   * (constants and data) is written too, ready for `eval` and `run`.
   */
  readonly data?: string;
}

/** A file beside `program` with a suffix: `model.json` → `model.weights.json`. */
export function besideProgram(program: string, suffix: "weights" | "inputs"): string {
  return program.replace(/(\.json|\.ya?ml)?$/i, `.${suffix}.json`);
}

/**
 * Imports an ONNX model file: writes the program and a tensor file with the values of the
 * program inputs that were the model's constants, and prints what was imported.
 */
export function importModelFile(model: string, opts: ImportCommandOptions, out: (s: string) => void): void {
  const imported = importOnnx(readFileBytes(model), { dims: opts.dims });
  const { program } = imported;
  const weightsPath = opts.weights ?? besideProgram(opts.out, "weights");
  const complete = opts.data === undefined ? undefined : completeInputs(imported, opts.data);
  writeTextFile(opts.out, `${JSON.stringify(programToJson(program))}\n`, { what: "program file" });
  // The weights file's format follows its extension: .safetensors, .npy (one tensor) or a tensor file.
  const weightsFormat = writeTensorValues(weightsPath, imported.weights, "weights file");
  const weightCount = Object.keys(imported.weights).length;
  out(
    `imported ${model}: ${program.operations.length} operations, inputs ${imported.dataInputs.join(", ") || "none"}, outputs ${program.outputs.join(", ")}\n`,
  );
  // One line per pattern: a model repeats its blocks, and 35 identical lines would bury the rest.
  const byPattern = new Map<string, RecognisedPattern[]>();
  for (const r of imported.recognised) byPattern.set(r.pattern, [...(byPattern.get(r.pattern) ?? []), r]);
  for (const [pattern, found] of byPattern) {
    out(`  recognised ${pattern} ×${found.length} (first: ${found[0]!.nodes.join(", ")})\n`);
  }
  out(`program written to ${opts.out}\n`);
  out(
    `${weightCount} constant input${weightCount === 1 ? "" : "s"} written to ${weightsPath} (${FORMAT_NAMES[weightsFormat]})\n`,
  );
  if (complete !== undefined) {
    const inputsPath = besideProgram(opts.out, "inputs");
    writeTextFile(inputsPath, `${JSON.stringify(tensorsToJson(complete))}\n`, { what: "inputs file" });
    out(`constants and data inputs written to ${inputsPath} (for eval and run --inputs)\n`);
  }
}

/** The constants plus the data inputs read from `file`, checked against the program's inputs. */
function completeInputs(imported: ImportedModel, file: string): Record<string, Region> {
  const data = readTensorValues([file], programRanges(imported.program));
  const issues = new IssueCollector();
  for (const id of Object.keys(data)) {
    if (!imported.dataInputs.includes(id)) {
      issues.add(
        "invalid_argument",
        pointer("/tensors", id),
        `tensor '${id}' in ${file} is not a data input of the model (data inputs: ${imported.dataInputs.join(", ")})`,
        { tensor: id, dataInputs: imported.dataInputs.slice() },
      );
    }
  }
  throwIfIssues(issues.issues, "--data file");
  const all = { ...imported.weights, ...data };
  checkInputValues(imported.program, all);
  return all;
}

/** Parses one `--dim name=value` into `previous` (commander's collector). */
export function collectDim(value: string, previous: Record<string, number>): Record<string, number> {
  const m = /^(.+)=(\d+)$/.exec(value);
  const fail = (why: string) => new CommanderError(2, "tessera.option", `error: --dim ${why}\n`);
  if (m === null) throw fail(`expects name=size (a non-negative integer), found '${value}'`);
  const [, name, size] = m as unknown as [string, string, string];
  if (Object.hasOwn(previous, name)) throw fail(`gives '${name}' twice`);
  if (!Number.isSafeInteger(Number(size))) throw fail(`size of '${name}' is too large: ${size}`);
  return { ...previous, [name]: Number(size) };
}

import { CommanderError } from "commander";
import { readFileBytes } from "../base/read-text-file.js";
import { writeTextFile } from "../base/write-text-file.js";
import { tensorsToJson } from "../exec/tensor-file.js";
import { importOnnx } from "../import/import-onnx.js";
import { programToJson } from "../ir/encode-program.js";

/** Options of `tessera import`. */
export interface ImportCommandOptions {
  /** Where the program goes. */
  readonly out: string;
  /** Where the initializer values go (default: beside the program, `<name>.weights.json`). */
  readonly weights?: string;
  /** Sizes of symbolic dimensions. */
  readonly dims: Readonly<Record<string, number>>;
}

/** The default weights file beside `program`: `model.json` → `model.weights.json`. */
export function defaultWeightsPath(program: string): string {
  return program.replace(/(\.json|\.ya?ml)?$/i, ".weights.json");
}

/**
 * Imports an ONNX model file: writes the program and a tensor file with the values of the
 * program inputs that were the model's constants, and prints what was imported.
 */
export function importModelFile(model: string, opts: ImportCommandOptions, out: (s: string) => void): void {
  const imported = importOnnx(readFileBytes(model), { dims: opts.dims });
  const { program } = imported;
  const weightsPath = opts.weights ?? defaultWeightsPath(opts.out);
  writeTextFile(opts.out, `${JSON.stringify(programToJson(program))}\n`, { what: "program file" });
  writeTextFile(weightsPath, `${JSON.stringify(tensorsToJson(imported.weights))}\n`, {
    what: "weights file",
  });
  const weightCount = Object.keys(imported.weights).length;
  out(
    `imported ${model}: ${program.operations.length} operations, inputs ${imported.dataInputs.join(", ") || "none"}, outputs ${program.outputs.join(", ")}\n`,
  );
  for (const r of imported.recognised) out(`  recognised ${r.pattern}: ${r.nodes.join(", ")}\n`);
  out(`program written to ${opts.out}\n`);
  out(
    `${weightCount} constant input${weightCount === 1 ? "" : "s"} written to ${weightsPath} (tensor file format)\n`,
  );
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

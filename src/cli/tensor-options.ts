import { randomInputs } from "../exec/reference/random-inputs.js";
import { readTensorValues, type TensorFormat } from "../exec/tensor-io.js";
import type { Program } from "../ir/program.js";
import type { Region } from "../kernels/region.js";
import type { ZRange } from "../zspace/z-range.js";

/** How each tensor value format is named when a command says what it wrote. */
export const FORMAT_NAMES: Readonly<Record<TensorFormat, string>> = {
  json: "tensor file format: schemas/tensors.schema.json",
  npy: "NumPy .npy",
  safetensors: "safetensors",
};

/** The declared range of each tensor of `program`, where binary inputs (which carry only shapes) are placed. */
export function programRanges(program: Program): (tensor: string) => ZRange | undefined {
  const ranges = new Map(program.tensors.map((t) => [t.id, t.range]));
  return (tensor) => ranges.get(tensor);
}

/** A command's program inputs: read from the `--inputs` files when any are given, else random from `seed`. */
export function commandInputs(
  program: Program,
  files: readonly string[] | undefined,
  seed: number,
): Record<string, Region> {
  return files === undefined || files.length === 0
    ? randomInputs(program, seed)
    : readTensorValues(files, programRanges(program));
}

import type { TensorFormat } from "../exec/tensor-io.js";
import type { Program } from "../ir/program.js";
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

import { constants } from "node:buffer";
import { basename } from "node:path";
import { readDocumentFile } from "../base/document-file.js";
import { TesseraError } from "../base/errors.js";
import { readFileBytes } from "../base/read-text-file.js";
import { writeTextFile } from "../base/write-text-file.js";
import type { Region } from "../kernels/region.js";
import { ZRange } from "../zspace/z-range.js";
import { decodeNpy, encodeNpy } from "./npy-file.js";
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from "./safetensors-file.js";
import { tensorsFromJson, tensorsToJson } from "./tensor-file.js";

/** The formats tensor values are read from and written to, chosen by file extension. */
export type TensorFormat = "json" | "npy" | "safetensors";

/** The largest binary tensor file read whole (what one Node buffer holds, at most 8 GiB). */
export const MAX_BINARY_BYTES = Math.min(constants.MAX_LENGTH - 1, 2 ** 33);

/** The format of a tensor file by its extension: `.npy`, `.safetensors`, anything else the JSON/YAML tensor file. */
export function tensorFormat(path: string): TensorFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".npy")) return "npy";
  if (lower.endsWith(".safetensors")) return "safetensors";
  return "json";
}

/**
 * Where each tensor's range starts when a binary file does not say (npy never does): the
 * program's own range when the shape agrees, else the origin (and the evaluator reports the
 * mismatch as `input_mismatch`).
 */
export type RangeLookup = (tensor: string) => ZRange | undefined;

function placed(
  id: string,
  dtype: Region["dtype"],
  shape: readonly number[],
  data: Region["data"],
  start: readonly number[] | undefined,
  ranges: RangeLookup,
): Region {
  if (start !== undefined) return { dtype, range: ZRange.fromStartShape(start, shape), data };
  const known = ranges(id);
  const fits =
    known !== undefined && known.rank === shape.length && known.shape.coords.every((d, i) => d === shape[i]);
  return { dtype, range: fits ? known : ZRange.fromShape(shape), data };
}

/**
 * Reads tensor values from one spec: a tensor file (JSON or YAML), a `.safetensors` file (every
 * tensor in it), or a `.npy` file holding one tensor, named `name=path.npy` or by the file's
 * base name (`x.npy` is tensor `x`). Malformed files are `invalid_tensor_file`, unreadable ones
 * `file_not_found`/`read_failed`.
 */
export function readTensorSpec(spec: string, ranges: RangeLookup = () => undefined): Record<string, Region> {
  const eq = spec.indexOf("=");
  const named = eq > 0 && tensorFormat(spec) === "npy" ? spec.slice(0, eq) : undefined;
  const path = named === undefined ? spec : spec.slice(eq + 1);
  const format = tensorFormat(path);
  const out: Record<string, Region> = Object.create(null) as Record<string, Region>;
  if (format === "json") return tensorsFromJson(readDocumentFile(path));
  const bytes = readFileBytes(path, MAX_BINARY_BYTES);
  if (format === "npy") {
    const id = named ?? basename(path).replace(/\.npy$/i, "");
    const a = decodeNpy(bytes, path);
    out[id] = placed(id, a.dtype, a.shape, a.data, undefined, ranges);
    return out;
  }
  for (const [id, t] of Object.entries(decodeSafetensors(bytes, path)))
    out[id] = placed(id, t.dtype, t.shape, t.data, t.start, ranges);
  return out;
}

/**
 * Reads and merges tensor values from several specs (see `readTensorSpec`); a tensor given by
 * two of them is `invalid_argument`, naming both.
 */
export function readTensorValues(
  specs: readonly string[],
  ranges: RangeLookup = () => undefined,
): Record<string, Region> {
  const out: Record<string, Region> = Object.create(null) as Record<string, Region>;
  const from = new Map<string, string>();
  for (const spec of specs) {
    for (const [id, r] of Object.entries(readTensorSpec(spec, ranges))) {
      const before = from.get(id);
      if (before !== undefined)
        throw new TesseraError(
          "invalid_argument",
          `tensor '${id}' is given twice, by ${before} and by ${spec}`,
          {
            tensor: id,
            first: before,
            second: spec,
          },
        );
      from.set(id, spec);
      out[id] = r;
    }
  }
  return out;
}

/** The bytes of `values` in `format` (an npy file holds exactly one tensor: `invalid_argument` otherwise). */
export function encodeTensorValues(
  values: Readonly<Record<string, Region>>,
  format: TensorFormat,
  path = "the file",
): Uint8Array | string {
  if (format === "json") return `${JSON.stringify(tensorsToJson(values))}\n`;
  const entries = Object.entries(values);
  if (format === "npy") {
    const only = entries[0];
    if (entries.length !== 1 || only === undefined)
      throw new TesseraError(
        "invalid_argument",
        `${path} is an .npy file, which holds one tensor, but there are ${entries.length} (${entries.map(([id]) => id).join(", ")}); write .safetensors or a tensor file instead`,
        { path, tensors: entries.length },
      );
    const r = only[1];
    return encodeNpy({ dtype: r.dtype, shape: r.range.shape.toArray(), data: r.data });
  }
  const stored: Record<string, StoredTensor> = {};
  for (const [id, r] of entries)
    stored[id] = {
      dtype: r.dtype,
      shape: r.range.shape.toArray(),
      data: r.data,
      start: r.range.start.toArray(),
    };
  return encodeSafetensors(stored);
}

/**
 * Writes tensor values to `path` in the format its extension names (`.npy`, `.safetensors`,
 * else the JSON tensor file) and returns the format; `write_failed` when the file cannot be written.
 */
export function writeTensorValues(
  path: string,
  values: Readonly<Record<string, Region>>,
  what = "--out file",
): TensorFormat {
  const format = tensorFormat(path);
  writeTextFile(path, encodeTensorValues(values, format, path), { what, createFolder: false });
  return format;
}

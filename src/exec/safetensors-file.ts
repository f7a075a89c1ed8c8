import type { DType } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import { type DenseArray, decodeElements, type StoredKind } from "./npy-file.js";

/** A named array of a safetensors file, with the absolute start of its range when Tessera wrote one. */
export interface StoredTensor extends DenseArray {
  /** The range's start (from Tessera's metadata); absent means the origin. */
  readonly start?: readonly number[];
}

const KINDS: Readonly<Record<string, StoredKind>> = {
  F32: "float32",
  F64: "float64",
  I32: "int32",
  I64: "int64",
};
const CODES: Readonly<Record<DType, string>> = { float32: "F32", float64: "F64", int32: "I32" };
const WIDTH: Readonly<Record<StoredKind, number>> = { float32: 4, float64: 8, int32: 4, int64: 8 };

/** The metadata key holding a tensor's range start: safetensors itself knows only shapes. */
const startKey = (id: string) => `tessera.start.${id}`;

/** The largest header the reader accepts (the format's own reference implementation caps it at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

function malformed(path: string, reason: string, tensor?: string): TesseraError {
  return new TesseraError("invalid_tensor_file", `${path} is not a valid safetensors file: ${reason}`, {
    path,
    format: "safetensors",
    reason,
    ...(tensor === undefined ? {} : { tensor }),
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isCountList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
}

/**
 * Decodes a `.safetensors` file: an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype (`F32`, `F64`, `I32`; `I64` read as int32 when it fits), shape and byte
 * offsets, then the data. Ranges that do not start at the origin come back from Tessera's
 * `tessera.start.<id>` metadata. A truncated file, a header that is not JSON, an unknown dtype,
 * offsets outside the data or disagreeing with the shape are each `invalid_tensor_file`.
 */
export function decodeSafetensors(bytes: Uint8Array, path: string): Record<string, StoredTensor> {
  if (bytes.length < 8) throw malformed(path, "it is shorter than the 8-byte header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8)))
    throw malformed(path, `the header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, headerEnd)));
  } catch {
    throw malformed(path, "the header is not UTF-8 JSON");
  }
  if (!isObject(header)) throw malformed(path, "the header is not a JSON object");
  const data = bytes.subarray(headerEnd);
  const meta = header.__metadata__;
  if (meta !== undefined && (!isObject(meta) || Object.values(meta).some((v) => typeof v !== "string")))
    throw malformed(path, "__metadata__ is not an object of strings");
  const out: Record<string, StoredTensor> = Object.create(null) as Record<string, StoredTensor>;
  for (const [id, entry] of Object.entries(header)) {
    if (id === "__metadata__") continue;
    if (!isObject(entry)) throw malformed(path, `entry '${id}' is not an object`, id);
    const kind = typeof entry.dtype === "string" ? KINDS[entry.dtype] : undefined;
    if (kind === undefined)
      throw malformed(
        path,
        `tensor '${id}' has dtype ${JSON.stringify(entry.dtype)}, not F32, F64, I32 or I64`,
        id,
      );
    if (!isCountList(entry.shape))
      throw malformed(path, `tensor '${id}' has a shape that is not a list of counts`, id);
    const offsets = entry.data_offsets;
    if (!isCountList(offsets) || offsets.length !== 2 || offsets[0]! > offsets[1]!)
      throw malformed(path, `tensor '${id}' has data_offsets that are not [begin, end] with begin ≤ end`, id);
    const [begin, end] = offsets as [number, number];
    if (end > data.length)
      throw malformed(path, `tensor '${id}' ends at byte ${end} of the data, which has ${data.length}`, id);
    const count = entry.shape.reduce((p, d) => p * d, 1);
    if (end - begin !== count * WIDTH[kind])
      throw malformed(
        path,
        `tensor '${id}' of shape [${entry.shape.join(", ")}] needs ${count * WIDTH[kind]} bytes, its offsets span ${end - begin}`,
        id,
      );
    const values = decodeElements(data.subarray(begin, end), kind, count, false, {
      path,
      format: "safetensors",
      tensor: id,
    });
    const startText = isObject(meta) ? meta[startKey(id)] : undefined;
    let start: number[] | undefined;
    if (typeof startText === "string") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(startText);
      } catch {
        parsed = undefined;
      }
      if (
        !Array.isArray(parsed) ||
        parsed.length !== entry.shape.length ||
        !parsed.every(Number.isSafeInteger)
      )
        throw malformed(path, `metadata ${startKey(id)} is not a list of ${entry.shape.length} integers`, id);
      start = parsed as number[];
    }
    out[id] = { ...values, shape: entry.shape, ...(start === undefined ? {} : { start }) };
  }
  return out;
}

/**
 * Encodes named arrays as a `.safetensors` file (what `safetensors.torch.save_file` and
 * `safetensors.numpy.save_file` read): data back to back in the order given, the header padded
 * with spaces to a multiple of 8 bytes, and each non-origin range start kept in the metadata.
 */
export function encodeSafetensors(tensors: Readonly<Record<string, StoredTensor>>): Uint8Array {
  const header: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [id, t] of Object.entries(tensors)) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[id] = { dtype: CODES[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    if (t.start?.some((s) => s !== 0)) meta[startKey(id)] = JSON.stringify(t.start);
    parts.push(bytes);
    offset += bytes.length;
  }
  const text = JSON.stringify(Object.keys(meta).length > 0 ? { __metadata__: meta, ...header } : header);
  const encoded = new TextEncoder().encode(text);
  const padded = Math.ceil(encoded.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.fill(0x20, 8, 8 + padded);
  out.set(encoded, 8);
  let at = 8 + padded;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

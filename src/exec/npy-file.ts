import { allocate, type DType, type TypedData } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";

/** A dense row-major array read from a binary file: dtype, shape and values. */
export interface DenseArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The npy `descr` of each dtype (little-endian, as numpy writes on every common machine). */
const DESCR: Readonly<Record<DType, string>> = { float32: "<f4", float64: "<f8", int32: "<i4" };

/** The element kinds an npy or safetensors file may hold that Tessera reads. */
export type StoredKind = DType | "int64";

const STORED_BYTES: Readonly<Record<StoredKind, number>> = { float32: 4, float64: 8, int32: 4, int64: 8 };

function malformed(
  path: string,
  format: string,
  reason: string,
  context: Record<string, string | number> = {},
) {
  return new TesseraError("invalid_tensor_file", `${path} is not a valid ${format} file: ${reason}`, {
    path,
    format,
    reason,
    ...context,
  });
}

/**
 * Decodes the values of a stored array into Tessera's dtype: float32, float64 and int32 as
 * they are; int64 (PyTorch's default integer) as int32 when every value fits, else
 * `invalid_tensor_file` naming the first that does not — a silent wrap would change the data.
 * `bigEndian` swaps bytes first. Used by the npy and safetensors readers.
 */
export function decodeElements(
  bytes: Uint8Array,
  kind: StoredKind,
  count: number,
  bigEndian: boolean,
  where: { readonly path: string; readonly format: string; readonly tensor?: string },
): { dtype: DType; data: TypedData } {
  const width = STORED_BYTES[kind];
  const raw = new Uint8Array(count * width);
  raw.set(bytes.subarray(0, count * width));
  if (bigEndian) {
    for (let i = 0; i < raw.length; i += width) raw.subarray(i, i + width).reverse();
  }
  if (kind !== "int64") {
    const data = allocate(kind, count);
    new Uint8Array(data.buffer).set(raw);
    return { dtype: kind, data };
  }
  const wide = new BigInt64Array(raw.buffer);
  const data = allocate("int32", count);
  for (let i = 0; i < count; i++) {
    const v = wide[i]!;
    if (v < -2147483648n || v > 2147483647n) {
      throw malformed(where.path, where.format, `int64 value ${v} at ${i} does not fit int32`, {
        ...(where.tensor === undefined ? {} : { tensor: where.tensor }),
        index: i,
      });
    }
    data[i] = Number(v);
  }
  return { dtype: "int32", data };
}

/** Reads the `descr` of an npy header: kind and byte order, or undefined for a dtype Tessera does not read. */
function parseDescr(descr: string): { kind: StoredKind; bigEndian: boolean } | undefined {
  const m = /^([<>|=])([fi])(\d+)$/.exec(descr);
  if (m === null) return undefined;
  const key = `${m[2]}${m[3]}`;
  const kind: StoredKind | undefined =
    key === "f4"
      ? "float32"
      : key === "f8"
        ? "float64"
        : key === "i4"
          ? "int32"
          : key === "i8"
            ? "int64"
            : undefined;
  if (kind === undefined) return undefined;
  return { kind, bigEndian: m[1] === ">" };
}

/** Row-major values of an array stored column-major (`fortran_order: True`), reordered. */
function fromFortran(data: TypedData, dtype: DType, shape: readonly number[]): TypedData {
  const n = shape.length;
  if (n < 2) return data;
  const out = allocate(dtype, data.length);
  const idx = new Array<number>(n).fill(0);
  const fStride = new Array<number>(n);
  let s = 1;
  for (let d = 0; d < n; d++) {
    fStride[d] = s;
    s *= shape[d]!;
  }
  for (let k = 0; k < data.length; k++) {
    let f = 0;
    for (let d = 0; d < n; d++) f += idx[d]! * fStride[d]!;
    out[k] = data[f]!;
    for (let d = n - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Decodes a NumPy `.npy` file (format versions 1, 2 and 3): dtypes `f4`, `f8`, `i4` (and `i8`
 * read as int32 when it fits), either byte order, C or Fortran order. Anything else — a wrong
 * magic, a truncated header or body, an unreadable header dict, another dtype — is
 * `invalid_tensor_file` naming `path` and the reason.
 */
export function decodeNpy(bytes: Uint8Array, path: string): DenseArray {
  const bad = (reason: string) => malformed(path, "npy", reason);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw bad("it does not start with the npy magic \\x93NUMPY");
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw bad(`format version ${major}.${bytes[7]} is not 1, 2 or 3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw bad("the header length is cut off");
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (bytes.length < start + headerLength)
    throw bad(
      `the header needs ${headerLength} bytes, the file has ${bytes.length - start} after the prelude`,
    );
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(start, start + headerLength),
  );
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (
    !header.trim().startsWith("{") ||
    descr === undefined ||
    fortran === undefined ||
    shapeText === undefined
  )
    throw bad(`the header ${JSON.stringify(header.trim())} lacks descr, fortran_order or shape`);
  const dims = shapeText
    .split(",")
    .map((t) => t.trim().replace(/L$/, ""))
    .filter((t) => t !== "");
  if (dims.some((t) => !/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))))
    throw bad(`the shape (${shapeText}) is not a tuple of non-negative integers`);
  const shape = dims.map(Number);
  const stored = parseDescr(descr);
  if (stored === undefined) throw bad(`dtype '${descr}' is not one Tessera reads (f4, f8, i4, i8)`);
  const count = shape.reduce((p, d) => p * d, 1);
  const body = bytes.subarray(start + headerLength);
  const need = count * STORED_BYTES[stored.kind];
  if (body.length < need)
    throw bad(`shape (${shape.join(", ")}) needs ${need} bytes of data, found ${body.length}`);
  const { dtype, data } = decodeElements(body, stored.kind, count, stored.bigEndian, { path, format: "npy" });
  return { dtype, shape, data: fortran === "True" ? fromFortran(data, dtype, shape) : data };
}

/** Encodes an array as a version 1.0 `.npy` file (little-endian, C order), as `numpy.save` writes. */
export function encodeNpy(array: DenseArray): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(", ")})`;
  let header = `{'descr': '${DESCR[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // The prelude (10 bytes) plus the header, padded with spaces and ended by a newline, is a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, " ")}\n`;
  const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(total + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, total);
  return out;
}

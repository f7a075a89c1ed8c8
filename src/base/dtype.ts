import { TesseraError } from "./errors.js";

/** Element types Tessera computes with. */
export const DTYPES = ["float32", "float64", "int32"] as const;

/** An element type. */
export type DType = (typeof DTYPES)[number];

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4 };

/** The typed array that stores each dtype densely. */
export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : Int32Array;

/** Any dense storage array Tessera uses. */
export type TypedData = Float32Array | Float64Array | Int32Array;

/** True when `s` names a dtype. */
export function isDType(s: unknown): s is DType {
  return typeof s === "string" && (DTYPES as readonly string[]).includes(s);
}

/** True for floating-point dtypes. */
export function isFloat(d: DType): boolean {
  return d !== "int32";
}

/** A typed array of `dtype` viewing all of `buffer` (plain or shared), whose length must fit the dtype. */
export function typedArrayOn(dtype: DType, buffer: ArrayBufferLike): TypedData {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer);
    case "float64":
      return new Float64Array(buffer);
    case "int32":
      return new Int32Array(buffer);
  }
}

/** The largest tensor Tessera holds in one piece of memory (4 GiB): beyond it, shard the program. */
export const MAX_TENSOR_BYTES = 2 ** 32;

/**
 * A zero-filled typed array of `length` elements of `dtype`. A tensor over `MAX_TENSOR_BYTES`,
 * or one the machine cannot allocate, is `limit_exceeded` naming its size, not a RangeError.
 */
export function allocate(dtype: DType, length: number): TypedData {
  const bytes = length * DTYPE_BYTES[dtype];
  const refuse = (why: string) =>
    new TesseraError("limit_exceeded", `a ${dtype} tensor of ${length} elements (${bytes} bytes) ${why}`, {
      dtype,
      elements: length,
      bytes,
      limit: MAX_TENSOR_BYTES,
    });
  if (bytes > MAX_TENSOR_BYTES) throw refuse(`is over the limit of ${MAX_TENSOR_BYTES} bytes in one piece`);
  try {
    return typedArrayOn(dtype, new ArrayBuffer(bytes));
  } catch (e: unknown) {
    if (e instanceof RangeError) throw refuse("cannot be allocated on this machine");
    throw e;
  }
}

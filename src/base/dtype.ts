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

/** A zero-filled typed array of `length` elements of `dtype`. */
export function allocate(dtype: DType, length: number): TypedData {
  return typedArrayOn(dtype, new ArrayBuffer(length * DTYPE_BYTES[dtype]));
}

import { isTesseraError, type TesseraError } from "../../src/base/errors.js";

/** The error `f` throws (failing the test when it throws nothing). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error: unknown) {
    return error;
  }
  throw new Error("expected the call to throw");
}

/** The `TesseraError` `f` throws (failing the test when it throws nothing or anything else). */
export function thrownError(f: () => unknown): TesseraError {
  const error = thrown(f);
  if (!isTesseraError(error)) throw new Error(`expected a TesseraError, got ${String(error)}`);
  return error;
}

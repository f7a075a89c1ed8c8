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

/** The `code` of what `f` throws (the error's text when it has none), or `"none"` when it returns. */
export function thrownCode(f: () => unknown): string {
  try {
    f();
  } catch (e: unknown) {
    return (e as { code?: string }).code ?? String(e);
  }
  return "none";
}

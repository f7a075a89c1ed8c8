// Assertions for Tessera's typed errors: the code (and, for validation, each issue's code and path).
import { expect } from "vitest";
import { type Issue, type IssueCode, TesseraError, ValidationError } from "../../src/base/index.js";

/** Runs `fn`, expecting a `TesseraError` with `code`; returns it for further checks. */
export function expectTesseraError(fn: () => unknown, code: TesseraError["code"]): TesseraError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a TesseraError with code ${code}`).toBeInstanceOf(TesseraError);
  const error = thrown as TesseraError;
  expect(error.code).toBe(code);
  return error;
}

/** Runs `fn`, expecting a `ValidationError` whose issues have exactly these codes and paths, in order. */
export function expectIssues(
  fn: () => unknown,
  expected: readonly { readonly code: IssueCode; readonly path: string }[],
): readonly Issue[] {
  const error = expectTesseraError(fn, "validation_failed");
  expect(error).toBeInstanceOf(ValidationError);
  const issues = (error as ValidationError).issues;
  expect(issues.map((i) => ({ code: i.code, path: i.path }))).toEqual(expected);
  return issues;
}

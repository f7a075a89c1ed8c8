import type { IssueCode } from "./codes.js";
import type { Issue } from "./issue.js";
import type { Context } from "./json.js";

/**
 * The base of every error a user can cause: a stable `code`, a one-line `summary` and
 * structured `context`. The CLI prints these readably and exits 2; anything else is a bug.
 */
export class TesseraError extends Error {
  /** Stable machine-readable code. */
  readonly code: IssueCode | "validation_failed";
  /** Structured context: which node, tensor, dimension; expected vs got. */
  readonly context: Context;

  constructor(code: IssueCode | "validation_failed", summary: string, context: Context = {}) {
    super(summary);
    this.name = "TesseraError";
    this.code = code;
    this.context = context;
  }

  /** The one-line summary (the error message). */
  get summary(): string {
    return this.message;
  }
}

/** Thrown at an API edge when validation found one or more issues; carries all of them. */
export class ValidationError extends TesseraError {
  /** Every issue found, in discovery order (never empty). */
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[], what = "input") {
    const first = issues[0];
    const summary =
      issues.length === 1 && first !== undefined
        ? `invalid ${what}: ${first.summary}`
        : `invalid ${what}: ${issues.length} issues`;
    super("validation_failed", summary, { count: issues.length });
    this.name = "ValidationError";
    this.issues = issues;
  }

  /** The distinct codes of the issues, in order of first appearance. */
  get codes(): IssueCode[] {
    return [...new Set(this.issues.map((i) => i.code))];
  }
}

/** Throws `ValidationError` when `issues` is non-empty. */
export function throwIfIssues(issues: readonly Issue[], what?: string): void {
  if (issues.length > 0) throw new ValidationError(issues, what);
}

/** True for any error raised deliberately by Tessera (as opposed to a bug). */
export function isTesseraError(error: unknown): error is TesseraError {
  return error instanceof TesseraError;
}

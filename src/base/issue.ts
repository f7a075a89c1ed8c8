import type { IssueCode } from "./codes.js";
import type { Context } from "./json.js";

/**
 * One problem found in user input, as data: what (code), where (JSON pointer), a one-line
 * summary stating expected vs found, and structured context for machines.
 */
export interface Issue {
  readonly code: IssueCode;
  readonly path: string;
  readonly summary: string;
  readonly context: Context;
}

/** Builds an issue; `context` defaults to empty. */
export function issue(code: IssueCode, path: string, summary: string, context: Context = {}): Issue {
  return { code, path, summary, context };
}

/**
 * Collects issues during a validation pass so that all problems are reported at once;
 * throw `ValidationError` at the API edge only (see `IssueCollector.throwIfAny`).
 */
export class IssueCollector {
  private readonly list: Issue[] = [];

  /** Records one issue. */
  add(code: IssueCode, path: string, summary: string, context: Context = {}): void {
    this.list.push(issue(code, path, summary, context));
  }

  /**
   * Records issues found elsewhere; `under` is the JSON pointer of the document they were found
   * in when it is nested in this one (`"/program"` for a plan's embedded program), prefixed to their paths.
   */
  addAll(issues: readonly Issue[], under = ""): void {
    for (const i of issues) this.list.push(under === "" ? i : { ...i, path: `${under}${i.path}` });
  }

  /** The issues recorded so far, in order. */
  get issues(): readonly Issue[] {
    return this.list;
  }

  /** True when nothing has been recorded. */
  get ok(): boolean {
    return this.list.length === 0;
  }
}

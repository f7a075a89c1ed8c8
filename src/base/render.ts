import { type TesseraError, ValidationError } from "./errors.js";
import type { Issue } from "./issue.js";
import type { Context } from "./json.js";

function renderContext(context: Context): string {
  const entries = Object.entries(context);
  if (entries.length === 0) return "";
  return entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ");
}

/**
 * Renders issues for a person, one block each:
 *
 * ```text
 * error[end_before_start] at /range/end/1
 *   range ends before it starts in dimension 1: start 4, end 2
 *   context: dim=1, start=4, end=2
 * ```
 */
export function renderIssues(issues: readonly Issue[]): string {
  return issues
    .map((i) => {
      const ctx = renderContext(i.context);
      const where = i.path === "" ? "(root)" : i.path;
      return `error[${i.code}] at ${where}\n  ${i.summary}${ctx ? `\n  context: ${ctx}` : ""}`;
    })
    .join("\n");
}

/** Renders any Tessera error for a person: its issues if it has them, else code + summary + context. */
export function renderError(error: TesseraError): string {
  if (error instanceof ValidationError) {
    const n = error.issues.length;
    return `${error.summary}\n${renderIssues(error.issues)}\n${n} issue${n === 1 ? "" : "s"} found`;
  }
  const ctx = renderContext(error.context);
  return `error[${error.code}] ${error.summary}${ctx ? `\n  context: ${ctx}` : ""}`;
}

/** The machine form of an error: plain JSON with code, summary, context and issues. */
export function errorToJson(error: TesseraError): Record<string, unknown> {
  return {
    code: error.code,
    summary: error.summary,
    context: error.context,
    issues: error instanceof ValidationError ? error.issues : [],
  };
}

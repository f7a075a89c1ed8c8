import { isIssueCode } from "../../base/codes.js";
import { isTesseraError, TesseraError, ValidationError } from "../../base/errors.js";
import type { Issue } from "../../base/issue.js";
import type { JsonValue } from "../../base/json.js";
import type { WireError } from "./protocol.js";

/** Any thrown value as plain data that survives `postMessage` (a Tessera error keeps code, context and issues). */
export function errorToWire(error: unknown): WireError {
  if (isTesseraError(error)) {
    const issues =
      error instanceof ValidationError ? (JSON.parse(JSON.stringify(error.issues)) as JsonValue[]) : [];
    return { message: error.message, code: error.code, context: error.context, issues };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, code: null, context: {}, issues: [] };
}

/** The Tessera error a wire error came from, when it was one. */
export function tesseraErrorFromWire(wire: WireError): TesseraError | undefined {
  if (wire.code === "validation_failed" && wire.issues.length > 0) {
    const error = new ValidationError(wire.issues as unknown as Issue[]);
    // Keep the original summary: it names what was invalid (`invalid kernel declaration …`).
    error.message = wire.message;
    return error;
  }
  if (wire.code !== null && (wire.code === "validation_failed" || isIssueCode(wire.code)))
    return new TesseraError(wire.code, wire.message, wire.context);
  return undefined;
}

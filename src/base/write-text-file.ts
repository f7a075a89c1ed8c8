import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { TesseraError } from "./errors.js";

/** Options of `writeTextFile`. */
export interface WriteTextOptions {
  /** What the file is, for the error (`the report`, `--out file`); default `the file`. */
  readonly what?: string;
  /** Create the file's folder when missing (default true). */
  readonly createFolder?: boolean;
}

/**
 * Writes a UTF-8 file and returns its absolute path. Any failure (a folder that is a file, no
 * permission, a directory at the path) is `write_failed` naming what, the path and the reason.
 */
export function writeTextFile(path: string, text: string, options: WriteTextOptions = {}): string {
  const target = resolve(path);
  try {
    if (options.createFolder !== false) mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  } catch (e: unknown) {
    throw writeFailed(path, e, options.what);
  }
  return target;
}

/** The `write_failed` error for `path`, with the system's reason (`ENOTDIR`, `EACCES`, …). */
export function writeFailed(path: string, cause: unknown, what = "the file"): TesseraError {
  const reason = cause instanceof Error && "code" in cause ? String(cause.code) : "unwritable";
  return new TesseraError("write_failed", `cannot write ${what} ${path} (${reason})`, { path, reason });
}

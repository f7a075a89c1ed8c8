import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { TesseraError } from "./errors.js";

/** Options of `writeTextFile`. */
export interface WriteTextOptions {
  /** What the file is, for the error (`the report`, `--out file`); default `the file`. */
  readonly what?: string;
  /** Create the file's folder when missing (default true). */
  readonly createFolder?: boolean;
}

let serial = 0;

/**
 * Writes a UTF-8 file (or raw bytes) and returns its absolute path. The text goes to a temporary file beside
 * the target, renamed over it when complete, so a reader (or a run killed mid-write) never sees
 * a truncated file. Any failure (a folder that is a file, no permission, a directory at the
 * path) is `write_failed` naming what, the path and the reason, and leaves no temporary file.
 */
export function writeTextFile(
  path: string,
  text: string | Uint8Array,
  options: WriteTextOptions = {},
): string {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${serial++}.tmp`);
  try {
    if (options.createFolder !== false) mkdirSync(dirname(target), { recursive: true });
    writeFileSync(temp, text);
    renameSync(temp, target);
  } catch (e: unknown) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // The folder itself is unusable (a file stands where it should be): nothing was written.
    }
    throw writeFailed(path, e, options.what);
  }
  return target;
}

/** The `write_failed` error for `path`, with the system's reason (`ENOTDIR`, `EACCES`, …). */
export function writeFailed(path: string, cause: unknown, what = "the file"): TesseraError {
  const reason = cause instanceof Error && "code" in cause ? String(cause.code) : "unwritable";
  return new TesseraError("write_failed", `cannot write ${what} ${path} (${reason})`, { path, reason });
}

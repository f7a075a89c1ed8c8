import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { TesseraError } from "./errors.js";

/** The largest input file Tessera reads (256 MiB): a bigger one is refused before it fills memory. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** What each errno means, for a person. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a directory",
  ENOTDIR: "a folder on its path is a file",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the path is too long",
};

/**
 * Reads a UTF-8 input file. A missing file is `file_not_found`; anything else that stops the
 * read (permissions, a directory, a FIFO, a device like /dev/zero, a file over
 * `MAX_INPUT_BYTES`) is `read_failed`, naming the path and the reason in words. Only regular
 * files are read, and opened non-blocking so that a FIFO with no writer cannot hang the read.
 */
export function readTextFile(path: string, maxBytes = MAX_INPUT_BYTES): string {
  return readFileBytes(path, maxBytes).toString("utf8");
}

/**
 * Reads a binary input file whole (an ONNX model, a tensor file), with the same checks and errors
 * as `readTextFile` (regular files only, non-blocking open, at most `maxBytes`).
 */
export function readFileBytes(path: string, maxBytes = MAX_INPUT_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e: unknown) {
    throw readError(path, e);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw failed(path, "EISDIR", "it is a directory");
    if (!stat.isFile())
      throw failed(path, "not_regular", "it is not a regular file (a pipe, socket or device)");
    if (stat.size > maxBytes) {
      throw failed(path, "too_large", `it is ${stat.size} bytes, over the limit of ${maxBytes} bytes`);
    }
    // Read at most one byte past the limit: a file that grows while being read is still bounded.
    const buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(stat.size, 0) + 65536));
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw failed(path, "too_large", `it is over the limit of ${maxBytes} bytes`);
    return buffer.subarray(0, length);
  } catch (e: unknown) {
    if (e instanceof TesseraError) throw e;
    throw readError(path, e);
  } finally {
    closeSync(fd);
  }
}

function failed(path: string, reason: string, words: string): TesseraError {
  return new TesseraError("read_failed", `cannot read ${path}: ${words}`, { path, reason });
}

/** The typed error for a failed open or read: `file_not_found` for ENOENT, else `read_failed`. */
function readError(path: string, e: unknown): TesseraError {
  const code = e instanceof Error && "code" in e ? String(e.code) : "unreadable";
  if (code === "ENOENT") {
    return new TesseraError("file_not_found", `cannot read ${path}: no such file`, { path, reason: code });
  }
  return failed(path, code, REASONS[code] ?? `the system says ${code}`);
}

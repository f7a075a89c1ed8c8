import { readFileSync } from "node:fs";
import { TesseraError } from "./errors.js";

/** Reads a UTF-8 file; a missing or unreadable file is `invalid_json` naming the path and the reason. */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e: unknown) {
    const reason = e instanceof Error && "code" in e ? String(e.code) : "unreadable";
    throw new TesseraError("invalid_json", `cannot read ${path} (${reason})`, { path, reason });
  }
}

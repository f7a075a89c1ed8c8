import { createRequire } from "node:module";
import { TesseraError } from "./errors.js";
import { jsonErrorOffset } from "./json-error-offset.js";
import { readTextFile } from "./read-text-file.js";

type YamlModule = typeof import("yaml");

/** The yaml package, loaded on first use (JSON documents, the common case, never need it). */
function yaml(): YamlModule {
  return createRequire(import.meta.url)("yaml") as YamlModule;
}

/** Parses YAML text with the lazily loaded yaml package (throws its own syntax errors). */
export function parseYamlText(text: string): unknown {
  return yaml().parse(text);
}

/**
 * Parses JSON or YAML text into plain data; a syntax error becomes `invalid_json` with line and
 * column. YAML is a superset of JSON, but JSON text is parsed as JSON, strictly.
 */
export function parseDocumentText(text: string, source = "input"): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch (e: unknown) {
      // V8 gives no position for some errors ("Unexpected token ']', "[1, 2,]" is not valid
      // JSON"), and echoes the text over several lines: find the position by scanning instead.
      const offset = jsonErrorOffset(text);
      const at = offset === undefined ? undefined : lineColumn(text, offset);
      const reason = (e instanceof Error ? e.message : String(e))
        .replace(/, ".*" is not valid JSON$/s, "")
        .replace(/ in JSON at position \d+.*$/s, "")
        .split("\n")[0];
      throw new TesseraError(
        "invalid_json",
        `${source}${at ? `:${at.line}:${at.column}` : ""}: not valid JSON: ${reason}`,
        { source, ...(at ?? {}) },
      );
    }
  }
  try {
    return yaml().parse(text);
  } catch (e: unknown) {
    if (e instanceof yaml().YAMLParseError) {
      const at = e.linePos?.[0];
      throw new TesseraError(
        "invalid_json",
        `${source}${at ? `:${at.line}:${at.col}` : ""}: ${e.message.split("\n")[0]}`,
        {
          source,
          ...(at ? { line: at.line, column: at.col } : {}),
        },
      );
    }
    throw e;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/** Reads a document file (JSON or YAML); a missing file is `file_not_found`, an unreadable one `read_failed`. */
export function readDocumentFile(path: string): unknown {
  return parseDocumentText(readTextFile(path), path);
}

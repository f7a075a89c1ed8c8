import { createRequire } from "node:module";
import { TesseraError } from "./errors.js";
import { jsonErrorOffset } from "./json-error-offset.js";
import { readTextFile } from "./read-text-file.js";

type YamlModule = typeof import("yaml");

/** The yaml package, loaded on first use (JSON documents, the common case, never need it). */
function yaml(): YamlModule {
  return createRequire(import.meta.url)("yaml") as YamlModule;
}

/**
 * YAML parse options: warnings (an unknown tag such as `!!js/function`) are not printed as Node
 * process warnings; the value is read as plain data and the schema judges it like any other.
 */
const YAML_OPTIONS = { logLevel: "error" } as const;

/** Parses YAML text with the lazily loaded yaml package (throws its own syntax errors). */
export function parseYamlText(text: string): unknown {
  return yaml().parse(text, YAML_OPTIONS);
}

/**
 * Parses JSON or YAML text into plain data; a syntax error becomes `invalid_json` with line and
 * column. YAML is a superset of JSON, but JSON text is parsed as JSON, strictly.
 */
export function parseDocumentText(text: string, source = "input"): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    // Before parsing: the error locator below recurses, and so do the checks after it.
    const deep = jsonDepthExceeded(text, MAX_DOCUMENT_DEPTH);
    if (deep !== undefined) throw tooDeep(source, lineColumn(text, deep));
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
  let value: unknown;
  try {
    value = yaml().parse(text, YAML_OPTIONS);
  } catch (e: unknown) {
    if (e instanceof RangeError) throw tooDeep(source);
    if (e instanceof yaml().YAMLParseError) {
      if (e.message.includes("Maximum call stack")) throw tooDeep(source);
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
    // The yaml package throws a ReferenceError for an alias to no anchor and for an alias bomb
    // (more aliases than its resource limit): both are malformed documents.
    if (e instanceof ReferenceError) {
      throw new TesseraError("invalid_json", `${source}: ${e.message.split("\n")[0]}`, { source });
    }
    throw e;
  }
  if (valueDepthExceeded(value, MAX_DOCUMENT_DEPTH)) throw tooDeep(source);
  return value;
}

/** The deepest nesting of arrays and objects a document may have; real documents nest about 8 deep. */
export const MAX_DOCUMENT_DEPTH = 256;

function tooDeep(source: string, at?: { line: number; column: number }): TesseraError {
  return new TesseraError(
    "nesting_too_deep",
    `${source}${at ? `:${at.line}:${at.column}` : ""}: arrays and objects nest deeper than ${MAX_DOCUMENT_DEPTH} levels`,
    { source, limit: MAX_DOCUMENT_DEPTH, ...(at ?? {}) },
  );
}

/** The offset of the bracket that opens level `limit + 1` of JSON text (outside strings), if any. */
function jsonDepthExceeded(text: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

/** True when parsed data nests arrays and objects deeper than `limit` (walked without recursion). */
function valueDepthExceeded(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= limit) return true;
    // YAML aliases share nodes: walk each node once.
    if (seen.has(v)) continue;
    seen.add(v);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/** Reads a document file (JSON or YAML); a missing file is `file_not_found`, an unreadable one `read_failed`. */
export function readDocumentFile(path: string): unknown {
  return parseDocumentText(readTextFile(path), path);
}

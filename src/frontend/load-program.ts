import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { TesseraError } from "../base/errors.js";
import type { Program } from "../ir/program.js";
import { parseProgram } from "../ir/validate-program.js";
import type { KernelRegistry } from "../kernels/registry.js";

/**
 * Parses JSON or YAML text into plain data; a syntax error becomes `invalid_json` with line and
 * column. YAML is a superset of JSON, but JSON text is parsed as JSON for exact error positions.
 */
export function parseDocumentText(text: string, source = "input"): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch (e: unknown) {
      const msg = e instanceof Error ? e.message : String(e);
      const pos = /position (\d+)/.exec(msg);
      const at = pos === null ? undefined : lineColumn(text, Number(pos[1]));
      throw new TesseraError("invalid_json", `${source}${at ? `:${at.line}:${at.column}` : ""}: ${msg}`, {
        source,
        ...(at ?? {}),
      });
    }
  }
  try {
    return parseYaml(text);
  } catch (e: unknown) {
    if (e instanceof YAMLParseError) {
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

/** Reads a document file (JSON or YAML); an unreadable file is `invalid_json` naming the path. */
export function readDocumentFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e: unknown) {
    const reason = e instanceof Error && "code" in e ? String(e.code) : "unreadable";
    throw new TesseraError("invalid_json", `cannot read ${path} (${reason})`, { path, reason });
  }
  return parseDocumentText(text, path);
}

/** Loads and validates a program file, through the same validation as `ProgramBuilder.build()`. */
export function loadProgramFile(path: string, registry: KernelRegistry): Program {
  return parseProgram(readDocumentFile(path), registry);
}

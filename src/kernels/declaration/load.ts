import { extname } from "node:path";
import { parseYamlText } from "../../base/document-file.js";
import { isTesseraError, ValidationError } from "../../base/errors.js";
import { issue } from "../../base/issue.js";
import { readTextFile } from "../../base/read-text-file.js";
import type { KernelDef } from "../kernel.js";
import { checkKernelDeclaration, declaredKernel } from "./compile.js";
import type { DeclaredParams, KernelDeclaration } from "./types.js";

/** The text formats a declaration may be written in. */
export type DeclarationFormat = "json" | "yaml";

/**
 * Parses a declaration from JSON or YAML text and checks it (schema, then semantics), without
 * compiling it. Throws `ValidationError` carrying every issue: `invalid_json` for text that does
 * not parse, then schema and semantic issues with JSON pointers into the document.
 */
export function parseKernelDeclaration(
  text: string,
  format: DeclarationFormat,
  source = "kernel declaration",
): KernelDeclaration {
  let json: unknown;
  try {
    json = format === "json" ? JSON.parse(text) : parseYamlText(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]!.replace(/:$/, "") : String(error);
    throw new ValidationError(
      [issue("invalid_json", "", `${source} is not valid ${format.toUpperCase()}: ${message}`, { format })],
      source,
    );
  }
  const { declaration, issues } = checkKernelDeclaration(json);
  if (declaration === undefined) throw new ValidationError(issues, source);
  return declaration;
}

/**
 * Parses, checks and compiles a declaration with a `compute` body into a kernel ready to
 * register: the way to add a kernel without writing TypeScript. Throws `ValidationError` with
 * every issue (a missing `compute` is an `invalid_declaration` issue at `/compute`).
 */
export function loadKernelDeclaration(
  text: string,
  format: DeclarationFormat,
  source = "kernel declaration",
): KernelDef<DeclaredParams> {
  const declaration = parseKernelDeclaration(text, format, source);
  try {
    return declaredKernel(declaration);
  } catch (error) {
    if (!isTesseraError(error) || error.code !== "invalid_declaration") throw error;
    throw new ValidationError(
      [issue("invalid_declaration", "/compute", error.message, error.context)],
      source,
    );
  }
}

function formatOf(path: string): DeclarationFormat {
  return extname(path).toLowerCase() === ".json" ? "json" : "yaml";
}

/** Reads and checks a declaration file (`.json` is JSON, anything else YAML) without compiling it. */
export function readKernelDeclarationFile(path: string): KernelDeclaration {
  return parseKernelDeclaration(readTextFile(path), formatOf(path), path);
}

/** Reads, checks and compiles a declaration file into a kernel (see `loadKernelDeclaration`). */
export function loadKernelDeclarationFile(path: string): KernelDef<DeclaredParams> {
  return loadKernelDeclaration(readTextFile(path), formatOf(path), path);
}

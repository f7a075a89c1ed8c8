import { readDocumentFile } from "../base/document-file.js";
import { isTesseraError } from "../base/errors.js";
import { type Issue, issue } from "../base/issue.js";
import { isJsonObject } from "../base/json.js";
import { renderIssues } from "../base/render.js";
import { validateCluster } from "../cluster/parse-cluster.js";
import { tensorsFromJson } from "../exec/tensor-file.js";
import { validateProgram } from "../ir/validate-program.js";
import { checkKernelDeclaration, declaredKernel } from "../kernels/declaration/compile.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { validatePlan } from "../plan/validate-plan.js";
import { plural } from "../report/units.js";
import { validateSearchResult } from "../search/result/search-result-file.js";

/** What checking one document found: a one-line description when valid, else every issue; notes either way. */
interface Verdict {
  readonly valid?: string;
  readonly issues: readonly Issue[];
  readonly notes?: readonly string[];
}

type Check = (doc: unknown, registry: KernelRegistry, file: string) => Verdict;

/** One checker per document kind Tessera reads, keyed by the document's `kind`. */
const CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  [
    "program",
    (doc, registry, file) => {
      const { program, issues } = validateProgram(doc, registry);
      if (program === undefined) return { issues };
      const notes = program.operations
        .filter((op) => op.signature.unshardable !== undefined)
        .map((op) => `operation '${op.id}' (${op.kernel}) cannot be sharded: ${op.signature.unshardable}`);
      return {
        valid: `valid program '${program.name ?? file}' (${plural(program.operations.length, "operation")}, ${plural(program.tensors.length, "tensor")})`,
        issues: [],
        notes,
      };
    },
  ],
  [
    "plan",
    (doc, registry, file) => {
      const { plan, issues } = validatePlan(doc, registry);
      if (plan === undefined) return { issues };
      const shards = plan.operations.reduce((n, o) => n + o.devices.length, 0);
      return {
        valid: `valid plan of '${plan.program.name ?? file}' (${plural(plan.operations.length, "operation")}, ${plural(shards, "shard")} on ${plural(plan.devices.length, "device")})`,
        issues: [],
      };
    },
  ],
  [
    "cluster",
    (doc) => {
      const { cluster, issues } = validateCluster(doc);
      if (cluster === undefined) return { issues };
      return {
        valid: `valid cluster '${cluster.name}' (${plural(cluster.hosts.length, "host")}, ${plural(cluster.devices.length, "device")})`,
        issues: [],
      };
    },
  ],
  [
    "tensors",
    (doc) => {
      const tensors = issuesOf(() => tensorsFromJson(doc));
      if (!("value" in tensors)) return tensors;
      return {
        valid: `valid tensor file (${plural(Object.keys(tensors.value).length, "tensor")})`,
        issues: [],
      };
    },
  ],
  [
    "kernel",
    (doc) => {
      const { declaration, issues } = checkKernelDeclaration(doc);
      if (declaration === undefined) return { issues };
      if (declaration.compute !== undefined) {
        const compiled = issuesOf(() => declaredKernel(declaration), "/compute");
        if (!("value" in compiled)) return compiled;
      }
      return { valid: `valid kernel declaration '${declaration.kernel}'`, issues: [] };
    },
  ],
  [
    "search-result",
    (doc, registry) => {
      const { result, issues } = validateSearchResult(doc, registry);
      if (result === undefined) return { issues };
      return {
        valid: `valid search result (${plural(result.front.length, "plan")} on the front, cluster '${result.cluster.name}')`,
        issues: [],
      };
    },
  ],
]);

/** The kinds `tessera validate` reads, in the order it lists them. */
export const DOCUMENT_KINDS: readonly string[] = [...CHECKS.keys()];

/** Runs `f`, turning a thrown Tessera error into issues (at `path` when it has none of its own). */
function issuesOf<T>(f: () => T, path = ""): { value: T } | { issues: readonly Issue[] } {
  try {
    return { value: f() };
  } catch (error: unknown) {
    if (!isTesseraError(error)) throw error;
    if ("issues" in error) return { issues: error.issues as readonly Issue[] };
    if (error.code === "validation_failed") throw error;
    return { issues: [issue(error.code, path, error.summary, error.context)] };
  }
}

/**
 * The kind of a parsed document: its `kind` field; a kernel declaration, which predates `kind`,
 * may instead be recognised by its `kernel` field; a document with neither is read as a program
 * (whose schema then asks for the `kind`).
 */
function kindOf(doc: unknown): unknown {
  if (!isJsonObject(doc)) return "program";
  if (Object.hasOwn(doc, "kind")) return doc.kind;
  return Object.hasOwn(doc, "kernel") ? "kernel" : "program";
}

/** Checks one parsed document by its kind; an unknown kind is one `unexpected_kind` issue naming it. */
export function validateDocument(doc: unknown, registry: KernelRegistry, file: string): Verdict {
  const kind = kindOf(doc);
  const check = typeof kind === "string" ? CHECKS.get(kind) : undefined;
  if (check !== undefined) return check(doc, registry, file);
  const found = JSON.stringify(kind);
  return {
    issues: [
      issue(
        "unexpected_kind",
        "/kind",
        `the document's kind is ${found}; tessera validate reads ${DOCUMENT_KINDS.join(", ")}`,
        { found: kind === undefined ? null : found, expected: [...DOCUMENT_KINDS] },
      ),
    ],
  };
}

/**
 * Validates each file by its `kind` (program, plan, cluster, tensors, kernel declaration,
 * search result) and writes one verdict per file (issues rendered under an invalid one).
 * Returns true when every file is valid.
 */
export function validateFiles(
  files: readonly string[],
  registry: KernelRegistry,
  out: (s: string) => void,
): boolean {
  let allValid = true;
  for (const file of files) {
    try {
      const verdict = validateDocument(readDocumentFile(file), registry, file);
      if (verdict.valid !== undefined) {
        out(`ok   ${file}: ${verdict.valid}\n`);
        for (const note of verdict.notes ?? []) out(`  note: ${note}\n`);
      } else {
        allValid = false;
        const n = verdict.issues.length;
        out(`FAIL ${file}: ${plural(n, "issue")}\n${indent(renderIssues(verdict.issues))}\n`);
      }
    } catch (error: unknown) {
      if (!isTesseraError(error)) throw error;
      allValid = false;
      out(`FAIL ${file}: error[${error.code}] ${error.summary}\n`);
    }
  }
  return allValid;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

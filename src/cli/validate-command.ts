import { readDocumentFile } from "../base/document-file.js";
import { isTesseraError } from "../base/errors.js";
import { isJsonObject } from "../base/json.js";
import { renderIssues } from "../base/render.js";
import { validateProgram } from "../ir/validate-program.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { validatePlan } from "../plan/validate-plan.js";

/**
 * Validates each file (a program, or a plan when its `kind` is "plan") and writes one verdict per file (issues rendered under an invalid one).
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
      const doc = readDocumentFile(file);
      const kind = isJsonObject(doc) ? doc.kind : undefined;
      if (kind === "plan") {
        const { plan, issues } = validatePlan(doc, registry);
        if (plan !== undefined) {
          const shards = plan.operations.reduce((n, o) => n + o.devices.length, 0);
          out(
            `ok   ${file}: valid plan of '${plan.program.name ?? file}' (${plan.operations.length} operations, ${shards} shards on ${plan.devices.length} devices)\n`,
          );
        } else {
          allValid = false;
          out(
            `FAIL ${file}: ${issues.length} issue${issues.length === 1 ? "" : "s"}\n${indent(renderIssues(issues))}\n`,
          );
        }
        continue;
      }
      const { program, issues } = validateProgram(doc, registry);
      if (program !== undefined) {
        out(
          `ok   ${file}: valid ${String(kind)} '${program.name ?? file}' (${program.operations.length} operations, ${program.tensors.length} tensors)\n`,
        );
        for (const op of program.operations) {
          if (op.signature.unshardable !== undefined) {
            out(
              `  note: operation '${op.id}' (${op.kernel}) cannot be sharded: ${op.signature.unshardable}\n`,
            );
          }
        }
      } else {
        allValid = false;
        out(
          `FAIL ${file}: ${issues.length} issue${issues.length === 1 ? "" : "s"}\n${indent(renderIssues(issues))}\n`,
        );
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

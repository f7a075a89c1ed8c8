import { resolve } from "node:path";
import { TesseraError } from "../../base/errors.js";
import type { Program } from "../../ir/program.js";
import { loadKernelDeclarationFile } from "../../kernels/declaration/load.js";
import { builtinRegistry } from "../../kernels/library/index.js";
import type { KernelRegistry } from "../../kernels/registry.js";

/**
 * Checks, before any thread starts, that workers can rebuild every kernel the program uses. A
 * registry holds functions, which cannot be posted to a thread, so each worker rebuilds one
 * from the built-in kernels plus the declaration files in `kernelFiles`; a kernel that exists
 * only in the caller's `registry` (a TypeScript kernel, or a replaced built-in) is refused with
 * `unknown_kernel`. Declaration files are loaded here too, so a bad file fails with its own
 * `ValidationError` up front. Returns the files as absolute paths (workers share the cwd, but
 * need not resolve relative paths the same way later).
 */
export function checkWorkerKernels(
  program: Program,
  registry: KernelRegistry | undefined,
  kernelFiles: readonly string[],
): string[] {
  const files = kernelFiles.map((f) => resolve(f));
  const declared = new Set(files.map((f) => loadKernelDeclarationFile(f).id));
  const builtins = builtinRegistry();
  for (const op of program.operations) {
    if (declared.has(op.kernel)) continue;
    const builtin = builtins.get(op.kernel);
    const given = registry?.get(op.kernel);
    if (builtin !== undefined && (given === undefined || given === builtin)) continue;
    throw new TesseraError(
      "unknown_kernel",
      `operation '${op.id}' uses kernel '${op.kernel}', which worker threads cannot rebuild: ` +
        `${builtin === undefined ? "it is not built in" : "the registry replaces the built-in one"}; ` +
        "pass its declaration file in `kernelFiles`",
      { op: op.id, kernel: op.kernel },
    );
  }
  return files;
}

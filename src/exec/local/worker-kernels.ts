import { resolve } from "node:path";
import { TesseraError } from "../../base/errors.js";
import type { Program } from "../../ir/program.js";
import { loadKernelDeclarationFile } from "../../kernels/declaration/load.js";
import { builtinRegistry } from "../../kernels/library/index.js";
import type { KernelRegistry } from "../../kernels/registry.js";

/** The kernel declaration files workers load, as absolute paths, and the kernel ids they declare. */
export interface WorkerKernels {
  readonly files: readonly string[];
  readonly declared: ReadonlySet<string>;
}

/**
 * Loads the declaration files workers will load too, so a bad file fails here with its own
 * `ValidationError` before any thread starts. Paths are made absolute: workers share the cwd,
 * but need not resolve relative paths the same way later.
 */
export function loadWorkerKernels(kernelFiles: readonly string[]): WorkerKernels {
  const files = kernelFiles.map((f) => resolve(f));
  return { files, declared: new Set(files.map((f) => loadKernelDeclarationFile(f).id)) };
}

/**
 * Checks that workers can rebuild every kernel the program uses. A registry holds functions,
 * which cannot be posted to a thread, so each worker rebuilds one from the built-in kernels
 * plus the declaration files in `kernels`; a kernel that exists only in the caller's
 * `registry` (a TypeScript kernel, or a replaced built-in) is refused with `unknown_kernel`.
 */
export function checkWorkerKernels(
  program: Program,
  registry: KernelRegistry | undefined,
  kernels: WorkerKernels,
): void {
  const builtins = builtinRegistry();
  for (const op of program.operations) {
    if (kernels.declared.has(op.kernel)) continue;
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
}

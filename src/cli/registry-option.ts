import { Option } from "commander";
import { loadKernelDeclarationFile } from "../kernels/declaration/index.js";
import { builtinRegistry } from "../kernels/library/index.js";
import { extendRegistry, type KernelRegistry } from "../kernels/registry.js";

/** The built-in kernels plus those declared in `files` (`--kernels a.yaml,b.json`). */
export function registryWith(files: readonly string[]): KernelRegistry {
  return extendRegistry(
    builtinRegistry(),
    files.map((f) => loadKernelDeclarationFile(f)),
  );
}

/** Commander collector for a repeatable, comma-separable list option. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").filter((s) => s.length > 0)];
}

/** The `--kernels` option every command that reads programs has. */
export function kernelsOption(): Option {
  return new Option("--kernels <files>", "kernel declaration files to register (repeatable, comma-separated)")
    .argParser(collectList)
    .default([]);
}

/** Commander collector for a repeatable option whose values keep their commas. */
export function collectRaw(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

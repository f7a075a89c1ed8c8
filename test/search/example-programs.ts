import { fileURLToPath } from "node:url";
import { loadProgramFile } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";

/** The example programs of `examples/`, by name. */
export const EXAMPLES = ["mlp", "transformer-block", "conv-net"] as const;

/** One example program, loaded with the built-in kernels. */
export function example(name: (typeof EXAMPLES)[number]): Program {
  return loadProgramFile(
    fileURLToPath(new URL(`../../examples/${name}.json`, import.meta.url)),
    builtinRegistry(),
  );
}

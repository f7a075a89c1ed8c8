// The ordered list of src/ layers, read from docs/layout.md (the single source of truth).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Layer folder names of src/, in pipeline (import) order. */
export function readLayers() {
  const path = fileURLToPath(new URL("../docs/layout.md", import.meta.url));
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/^- `([a-z][a-z0-9-]*)\/`/gm)].map((m) => m[1]);
}

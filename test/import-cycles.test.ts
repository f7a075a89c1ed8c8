import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../src", import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Each source file's relative imports (static, re-exports and dynamic `import()`), as absolute `.ts` paths. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const pattern = /(?:from\s+"|import\(")(\.{1,2}\/[^"]+)\.js"/g;
  return new Map(
    files.map((f) => [
      f,
      [...readFileSync(f, "utf8").matchAll(pattern)].map((m) => `${resolve(dirname(f), m[1]!)}.ts`),
    ]),
  );
}

/** One import circle of `graph`, as a path of files, or `undefined` when it has none. */
function findCircle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    state.set(file, "open");
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === "open") return [...stack.slice(stack.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found !== undefined) return found;
      }
    }
    stack.pop();
    state.set(file, "done");
    return undefined;
  };
  for (const file of graph.keys()) {
    if (state.has(file)) continue;
    const found = visit(file);
    if (found !== undefined) return found;
  }
  return undefined;
}

describe("the import graph of src/", () => {
  it("has no circle, within a layer or across", () => {
    const circle = findCircle(importGraph(tsFiles(src)));
    expect(circle?.map((f) => relative(src, f)).join(" -> ")).toBeUndefined();
  });

  it("finds a circle where there is one (the check can fail)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCircle(graph)).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
  });
});

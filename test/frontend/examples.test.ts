import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildConvNet } from "../../examples/conv-net.js";
import { buildMlp } from "../../examples/mlp.js";
import { buildTransformerBlock } from "../../examples/transformer-block.js";
import { evaluateProgram, programOutputs, randomInputs } from "../../src/exec/index.js";
import { programToJson, validateProgram } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";

const EXAMPLES = [
  { file: "mlp.json", build: () => buildMlp() },
  { file: "transformer-block.json", build: () => buildTransformerBlock() },
  { file: "conv-net.json", build: () => buildConvNet() },
];
const update = process.env.UPDATE_EXAMPLES === "1";

describe.each(EXAMPLES)("examples/$file", ({ file, build }) => {
  const url = new URL(`../../examples/${file}`, import.meta.url);

  it("is exactly what its builder code produces (regenerate with npm run examples)", () => {
    const json = programToJson(build());
    if (update) writeFileSync(url, `${JSON.stringify(json, null, 1)}\n`);
    expect(JSON.parse(readFileSync(url, "utf8"))).toEqual(json);
  });

  it("validates and evaluates to finite outputs", () => {
    const { program, issues } = validateProgram(JSON.parse(readFileSync(url, "utf8")), builtinRegistry());
    expect(issues).toEqual([]);
    const values = evaluateProgram(program!, randomInputs(program!, 7), builtinRegistry());
    for (const r of Object.values(programOutputs(program!, values))) {
      expect(r.data.length).toBeGreaterThan(0);
      expect(Array.from(r.data).every(Number.isFinite)).toBe(true);
    }
  });
});

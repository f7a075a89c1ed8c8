import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildConvNet } from "../../examples/conv-net.js";
import { buildGptBlockTrain } from "../../examples/gpt-block-train.js";
import { buildGptStack } from "../../examples/gpt-stack.js";
import { buildMlp } from "../../examples/mlp.js";
import { buildMlpTrain } from "../../examples/mlp-train.js";
import { buildTransformerBlock } from "../../examples/transformer-block.js";
import { buildVolumeConv } from "../../examples/volume-conv.js";
import { evaluateProgram, programOutputs, randomInputs } from "../../src/exec/index.js";
import { programToJson, validateProgram } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";

const EXAMPLES = [
  { file: "mlp.json", build: () => buildMlp(), evaluate: true },
  { file: "transformer-block.json", build: () => buildTransformerBlock(), evaluate: true },
  { file: "conv-net.json", build: () => buildConvNet(), evaluate: true },
  { file: "gpt-2-layers.json", build: () => buildGptStack(), evaluate: true },
  { file: "volume-conv.json", build: () => buildVolumeConv(), evaluate: true },
  { file: "mlp-train.json", build: () => buildMlpTrain(), evaluate: true },
  { file: "gpt-block-train.json", build: () => buildGptBlockTrain(), evaluate: true },
  // Planned, never evaluated: at full size it is the demo's planning problem (about 0.6 TFLOP).
  {
    file: "transformer-block-large.json",
    build: () => buildTransformerBlock(2048, 4096, 32, 16384),
    evaluate: false,
  },
];
const update = process.env.UPDATE_EXAMPLES === "1";

describe.each(EXAMPLES)("examples/$file", ({ file, build }) => {
  const url = new URL(`../../examples/${file}`, import.meta.url);

  it("is exactly what its builder code produces (regenerate with npm run examples)", () => {
    const json = programToJson(build());
    if (update) writeFileSync(url, `${JSON.stringify(json, null, 1)}\n`);
    expect(JSON.parse(readFileSync(url, "utf8"))).toEqual(json);
  });

  it("validates", () => {
    expect(validateProgram(JSON.parse(readFileSync(url, "utf8")), builtinRegistry()).issues).toEqual([]);
  });
});

// Only the files small enough for the reference: a file planned but never evaluated has no such test.
describe.each(EXAMPLES.filter((e) => e.evaluate))("examples/$file, evaluated", ({ file }) => {
  it("evaluates to finite outputs", () => {
    const text = readFileSync(new URL(`../../examples/${file}`, import.meta.url), "utf8");
    const { program } = validateProgram(JSON.parse(text), builtinRegistry());
    const inputs = randomInputs(program!, 7);
    // Optimizer states start at zeros, as a first training step's do (Adam's v must not be negative).
    for (const id of program!.inputs.filter((i) => /^(m|v)_/.test(i))) inputs[id]!.data.fill(0);
    const values = evaluateProgram(program!, inputs, builtinRegistry());
    for (const r of Object.values(programOutputs(program!, values))) {
      expect(r.data.length).toBeGreaterThan(0);
      expect(Array.from(r.data).every(Number.isFinite)).toBe(true);
    }
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../src/cli/main.js";
import {
  evaluateProgram,
  programOutputs,
  randomInputs,
  tensorsFromJson,
  tensorsToJson,
} from "../../src/exec/index.js";
import { loadProgramFile, program } from "../../src/frontend/index.js";
import { programToJson } from "../../src/ir/index.js";
import { loadKernelDeclarationFile } from "../../src/kernels/declaration/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { tensor, valuesOf } from "../exec/tensor-values.js";
import { type CliRun, runCli } from "../support/run-cli.js";

const repo = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));
const EXAMPLES = ["mlp.json", "transformer-block.json", "conv-net.json"].map((f) => repo(`examples/${f}`));
const MLP = repo("examples/mlp.json");
const SQUARED_DISTANCE = repo("test/fixtures/kernels/squared-distance.yaml");
const STACK_FRAME = /\n\s+at /;

const dir = mkdtempSync(join(tmpdir(), "tessera-cli-"));

/** Writes `content` (JSON-encoded unless a string) to a fresh file in the test's tmp dir. */
function tmpFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** Runs the CLI as `tessera ...argv` (see test/support/run-cli.ts). */
function run(...argv: string[]): Promise<CliRun> {
  return runCli(argv);
}

/** The checksum printed for output `id` by `tessera eval`. */
function checksumOf(out: string, id: string): string {
  const m = new RegExp(`^\\s*${id}  \\S+ \\[[^\\]]*\\]  .* checksum=([0-9a-f]{8})`, "m").exec(out);
  if (m === null) throw new Error(`no summary line for '${id}' in:\n${out}`);
  return m[1]!;
}

describe("tessera validate", () => {
  it("accepts every example and prints one ok line per file", async () => {
    const r = await run("validate", ...EXAMPLES);
    expect(r.code).toBe(0);
    for (const f of EXAMPLES)
      expect(r.out).toMatch(new RegExp(`^ok +${f.replaceAll(".", "\\.")}: valid program`, "m"));
    expect(r.err).toBe("");
  });

  it("an invalid program exits 2 with every issue rendered (code and path), and no stack trace", async () => {
    const doc = JSON.parse(readFileSync(MLP, "utf8")) as {
      operations: { inputs: { tensor: string }[] }[];
      outputs: string[];
    };
    doc.operations[0]!.inputs[0]!.tensor = "ghost";
    doc.outputs.push("nowhere");
    const file = tmpFile("invalid.json", doc);
    const r = await run("validate", EXAMPLES[0]!, file);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.out).toMatch(/^ok +.*mlp\.json/m);
    expect(r.out).toContain(`FAIL ${file}: 2 issues`);
    expect(r.out).toContain("error[unknown_tensor] at /operations/0/inputs/0/tensor");
    expect(r.out).toContain("error[unknown_tensor] at /outputs/1");
    expect(r.out).toContain("'ghost'");
    expect(r.out + r.err).not.toMatch(STACK_FRAME);
  });

  it("a file that does not parse is one FAIL line with its position", async () => {
    const file = tmpFile("broken.json", '{\n  "version": 1,\n}\n');
    const r = await run("validate", file);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.out).toContain(`FAIL ${file}: error[invalid_json] ${file}:3:1: not valid JSON`);
    expect(r.out + r.err).not.toMatch(STACK_FRAME);
  });
});

describe("tessera eval", () => {
  it("prints one summary line per output: id, dtype, shape, statistics and checksum", async () => {
    const r = await run("eval", MLP);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^evaluated 'mlp' \(\d+ operations, random inputs, seed 0, reference kernels\)/m);
    expect(r.out).toMatch(
      /^ {2}y {2}float32 \[32, 128\] {2}sum=\S+ min=\S+ max=\S+ checksum=[0-9a-f]{8} {2}first: /m,
    );
    expect(r.err).toBe("");
  });

  it("the seed fixes the outputs: the same seed repeats the checksum, another changes it", async () => {
    const zero = checksumOf((await run("eval", MLP)).out, "y");
    expect(checksumOf((await run("eval", MLP, "--seed", "0")).out, "y")).toBe(zero);
    const one = checksumOf((await run("eval", MLP, "--seed", "1")).out, "y");
    expect(one).not.toBe(zero);
    expect(checksumOf((await run("eval", MLP, "--seed", "1")).out, "y")).toBe(one);
  });

  it("--out writes a tensor file holding exactly the evaluator's outputs", async () => {
    const outFile = join(dir, "outputs.json");
    const r = await run("eval", MLP, "--seed", "3", "--out", outFile);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`outputs written to ${outFile}`);
    const written = tensorsFromJson(JSON.parse(readFileSync(outFile, "utf8")));
    const prog = loadProgramFile(MLP, builtinRegistry());
    const expected = programOutputs(prog, evaluateProgram(prog, randomInputs(prog, 3), builtinRegistry()));
    expect(Object.keys(written)).toEqual(["y"]);
    expect(written.y!.dtype).toBe("float32");
    expect(written.y!.range.equals(expected.y!.range)).toBe(true);
    expect(valuesOf(written.y!)).toEqual(valuesOf(expected.y!));
  });

  it("--inputs with a tensor file of the seed's inputs reproduces the seeded run", async () => {
    const prog = loadProgramFile(MLP, builtinRegistry());
    const inputsFile = tmpFile("mlp-inputs.json", tensorsToJson(randomInputs(prog, 5)));
    const fromFile = await run("eval", MLP, "--inputs", inputsFile);
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toContain(`inputs from ${inputsFile}`);
    expect(checksumOf(fromFile.out, "y")).toBe(checksumOf((await run("eval", MLP, "--seed", "5")).out, "y"));
  });

  it("--inputs lacking a program input exits 2 naming it", async () => {
    const prog = loadProgramFile(MLP, builtinRegistry());
    const { x: _dropped, ...rest } = randomInputs(prog, 1);
    const r = await run("eval", MLP, "--inputs", tmpFile("partial-inputs.json", tensorsToJson(rest)));
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain("error[missing_input] no value was given for program input 'x'");
    expect(r.err).not.toMatch(STACK_FRAME);
  });

  it("--inputs that is not a tensor file exits 2 with the schema issues", async () => {
    const r = await run("eval", MLP, "--inputs", MLP);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain("invalid tensor file");
    expect(r.err).toContain("error[schema_violation]");
    expect(r.err).not.toMatch(STACK_FRAME);
  });

  it.each(["abc", "", "1.5", "0x10"])("--seed '%s' exits 2 with a usage message", async (seed) => {
    const r = await run("eval", MLP, "--seed", seed);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain(`--seed must be an integer, found '${seed}'`);
    expect(r.out).toBe("");
    expect(r.err).not.toMatch(STACK_FRAME);
  });

  it("a negative --seed is a seed like any other", async () => {
    const r = await run("eval", MLP, "--seed", "-3");
    expect(r.code).toBe(0);
    expect(r.out).toContain("seed -3");
  });

  it("an --out file that cannot be written exits 2 naming it, not as an internal error", async () => {
    const target = join(dir, "no-such-dir", "out.json");
    const r = await run("eval", MLP, "--out", target);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain(`cannot write --out file ${target} (ENOENT)`);
    expect(r.err).not.toContain("internal error");
    expect(r.err).not.toMatch(STACK_FRAME);
  });

  it("a missing program file exits 2 with a readable message naming it", async () => {
    const missing = join(dir, "no-such-program.json");
    const r = await run("eval", missing);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain(`error[file_not_found] cannot read ${missing}: no such file`);
    expect(r.err).not.toMatch(STACK_FRAME);
  });
});

describe("--kernels: a program using a kernel declared in a file", () => {
  const p = program("distances", { kernels: [loadKernelDeclarationFile(SQUARED_DISTANCE)] });
  const d = p.call(
    "squared_distance",
    { x: p.input("x", [2, 2]), y: p.input("y", [2, 2]) },
    {},
    { id: "dist" },
  );
  p.output("d", d.out!);
  const programFile = tmpFile("distances.json", programToJson(p.build()));

  it("is rejected without the declaration: unknown_kernel", async () => {
    const r = await run("validate", programFile);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.out).toContain("error[unknown_kernel]");
  });

  it("validates with --kernels", async () => {
    const r = await run("validate", "--kernels", SQUARED_DISTANCE, programFile);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok +.*distances\.json: valid program 'distances'/m);
  });

  it("evaluates with --kernels to the hand-computed distances", async () => {
    // x = [(0, 0), (1, 1)], y = [(3, 4), (1, 0)] → [[25, 1], [13, 1]].
    const inputsFile = tmpFile(
      "distance-inputs.json",
      tensorsToJson({ x: tensor([2, 2], [0, 0, 1, 1]), y: tensor([2, 2], [3, 4, 1, 0]) }),
    );
    const outFile = join(dir, "distances-out.json");
    const r = await run(
      "eval",
      programFile,
      "--kernels",
      SQUARED_DISTANCE,
      "--inputs",
      inputsFile,
      "--out",
      outFile,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}d {2}float32 \[2, 2\] {2}sum=40 min=1 max=25 /m);
    expect(valuesOf(tensorsFromJson(JSON.parse(readFileSync(outFile, "utf8"))).d!)).toEqual([25, 1, 13, 1]);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateProgram, programOutputs, randomInputs } from "../../src/exec/index.js";
import { readTensorValues, writeTensorValues } from "../../src/exec/tensor-io.js";
import { loadProgramFile } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { valuesOf } from "../exec/tensor-values.js";
import { runCli } from "../support/run-cli.js";

const MLP = "examples/mlp.json";
const dir = mkdtempSync(join(tmpdir(), "tessera-tensor-files-"));
const registry = builtinRegistry();
const program = loadProgramFile(MLP, registry);
const inputs = randomInputs(program, 3);
const expected = programOutputs(program, evaluateProgram(program, inputs, registry));

describe("eval and run read and write binary tensors", () => {
  it("eval --inputs W.safetensors x.npy --out y.npy equals evaluating the same values", async () => {
    const { x, ...weights } = inputs;
    const w = join(dir, "weights.safetensors");
    writeTensorValues(w, weights);
    const xs = join(dir, "x.npy");
    writeTensorValues(xs, { x: x! });
    const out = join(dir, "y.npy");
    const r = await runCli(["eval", MLP, "--inputs", w, "--inputs", xs, "--out", out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`outputs written to ${out} (NumPy .npy)`);
    expect(valuesOf(readTensorValues([out]).y!)).toEqual(valuesOf(expected.y!));
  });

  it("run --out writes the sharded outputs, which equal the reference", async () => {
    const plan = join(dir, "plan.json");
    expect((await runCli(["shard", MLP, "--split", "fc1=out:2", "--devices", "2", "-o", plan])).code).toBe(0);
    const w = join(dir, "inputs.safetensors");
    writeTensorValues(w, inputs);
    const out = join(dir, "run-out.safetensors");
    const r = await runCli(["run", plan, "--workers", "1", "--inputs", w, "--out", out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`outputs written to ${out} (safetensors)`);
    const got = readTensorValues([out]).y!;
    const want = valuesOf(expected.y!);
    valuesOf(got).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 5);
    });
  });

  it("a malformed input file exits 2 with invalid_tensor_file", async () => {
    const bad = join(dir, "bad.npy");
    writeFileSync(bad, "not numpy");
    const r = await runCli(["eval", MLP, "--inputs", bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("invalid_tensor_file");
  });
});

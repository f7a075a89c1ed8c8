/** `tessera import`: writes the program and its constants; reports bad models and options as typed errors. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { convNet } from "./models.js";
import { floats } from "./onnx-builder.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-import-"));
const model = join(dir, "convnet.onnx");
writeFileSync(model, convNet().encode());

describe("tessera import", () => {
  it("writes the program, which validates, and the weights beside it", async () => {
    const out = join(dir, "convnet.json");
    const run = await runCli(["import", model, "-o", out, "--dim", "N=2"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain("inputs x");
    expect(run.out).toContain(`program written to ${out}`);
    const weights = JSON.parse(readFileSync(join(dir, "convnet.weights.json"), "utf8"));
    expect(Object.keys(weights.tensors).sort()).toEqual(["b1", "fc.T.scaled", "fcb", "w1", "w2"].sort());
    const validate = await runCli(["validate", out]);
    expect(validate.code).toBe(0);
  });

  it("takes --weights for the constants file", async () => {
    const weights = join(dir, "w.json");
    const run = await runCli([
      "import",
      model,
      "-o",
      join(dir, "p.json"),
      "--dim",
      "N=1",
      "--weights",
      weights,
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(weights, "utf8")).kind).toBe("tensors");
  });

  it("writes the weights as .safetensors when --weights says so, which eval takes beside the data", async () => {
    const weights = join(dir, "w.safetensors");
    const program = join(dir, "ps.json");
    const run = await runCli(["import", model, "-o", program, "--dim", "N=1", "--weights", weights]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(`written to ${weights} (safetensors)`);
    // safetensors: an 8-byte little-endian header length, then its JSON header.
    const bytes = readFileSync(weights);
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString("utf8"));
    expect(
      Object.keys(header)
        .filter((k) => k !== "__metadata__")
        .sort(),
    ).toEqual(["b1", "fc.T.scaled", "fcb", "w1", "w2"].sort());
    const evaluated = await runCli(["eval", program, "--inputs", weights]);
    // The data input x is missing: a typed error naming it, not a crash.
    expect(evaluated.code).toBe(2);
    expect(evaluated.err).toContain("x");
  });

  it.each([
    [["--dim", "N"], "expects name=size"],
    [["--dim", "N=2", "--dim", "N=3"], "gives 'N' twice"],
  ])("refuses a malformed --dim (%j)", async (args, message) => {
    const run = await runCli(["import", model, "-o", join(dir, "bad.json"), ...args]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });

  it("names a missing dimension and an unknown one with typed errors (exit 2)", async () => {
    const missing = await runCli(["import", model, "-o", join(dir, "bad.json")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("unresolved_dimension");
    expect(missing.err).toContain("--dim 'N=<size>'");
    const unknown = await runCli([
      "import",
      model,
      "-o",
      join(dir, "bad.json"),
      "--dim",
      "N=1",
      "--dim",
      "batch=2",
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("no input dimension is named 'batch'");
  });

  it("reports a file that is not a model as invalid_onnx, and a missing file as file_not_found", async () => {
    const junk = join(dir, "junk.onnx");
    writeFileSync(junk, "this is not protobuf \u0000\u00ff\u00ff\u00ff");
    const bad = await runCli(["import", junk, "-o", join(dir, "bad.json")]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("invalid_onnx");
    const none = await runCli(["import", join(dir, "absent.onnx"), "-o", join(dir, "bad.json")]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("file_not_found");
  });
});

describe("tessera import → plan → run, from the command line", () => {
  it("with --data, writes a complete inputs file that a planned run verifies against the reference", async () => {
    const out = join(dir, "net.json");
    const data = join(dir, "data.json");
    const x = {
      dtype: "float32",
      range: { start: [0, 0, 0, 0], end: [2, 3, 12, 12] },
      data: floats(3, 2 * 3 * 12 * 12),
    };
    writeFileSync(data, JSON.stringify({ version: 1, kind: "tensors", tensors: { x } }));
    const imported = await runCli(["import", model, "-o", out, "--dim", "N=2", "--data", data]);
    expect(imported.code).toBe(0);
    const inputs = join(dir, "net.inputs.json");
    expect(imported.out).toContain(`constants and data inputs written to ${inputs}`);
    const planDir = join(dir, "plan");
    const plan = await runCli([
      "plan",
      out,
      "--cluster",
      "dgx-a100",
      "--devices",
      "4",
      "--budget",
      "300",
      "-o",
      planDir,
      "--no-report",
    ]);
    expect(plan.code).toBe(0);
    const run = await runCli(["run", join(planDir, "chosen.plan.json"), "--inputs", inputs, "--verify"]);
    expect(run.err).not.toContain("error");
    expect(run.code).toBe(0);
    expect(run.out).toContain("probs");
  });

  it("refuses a --data file naming a tensor that is not a data input, or giving the wrong shape", async () => {
    const bad = join(dir, "bad-data.json");
    const x = {
      dtype: "float32",
      range: { start: [0, 0, 0, 0], end: [1, 3, 12, 12] },
      data: floats(3, 3 * 12 * 12),
    };
    writeFileSync(
      bad,
      JSON.stringify({
        version: 1,
        kind: "tensors",
        tensors: { x, w1: { dtype: "float32", range: { start: [0], end: [1] }, data: [0] } },
      }),
    );
    const named = await runCli(["import", model, "-o", join(dir, "q.json"), "--dim", "N=1", "--data", bad]);
    expect(named.code).toBe(2);
    expect(named.err).toContain("tensor 'w1' in");
    const one = join(dir, "one.json");
    writeFileSync(one, JSON.stringify({ version: 1, kind: "tensors", tensors: { x } }));
    const shaped = await runCli(["import", model, "-o", join(dir, "q.json"), "--dim", "N=2", "--data", one]);
    expect(shaped.code).toBe(2);
    expect(shaped.err).toContain("input_mismatch");
  });
});

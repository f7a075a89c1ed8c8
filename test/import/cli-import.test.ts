/** `tessera import`: writes the program and its constants; reports bad models and options as typed errors. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { convNet } from "./models.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-import-"));
const model = join(dir, "convnet.onnx");
writeFileSync(model, convNet().encode());

describe("tessera import", () => {
  it("writes the program and the weights beside it, and the program evaluates with them", async () => {
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

// Command-line sizes and names are checked up front, with a typed error or a usage error (exit 2).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseBudget } from "../../src/cli/plan-command.js";
import { parseDevices } from "../../src/cli/split-spec.js";
import { runCli } from "../support/run-cli.js";
import { thrownCode } from "../support/thrown.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-args-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("argument limits", () => {
  it.each([
    ["4294967296", "limit_exceeded"],
    ["100000000", "limit_exceeded"],
    ["a,a", "invalid_argument"],
    ["a,,b", "invalid_argument"],
    ["a, ,b", "invalid_argument"],
    ["4", "none"],
    ["a,b", "none"],
  ])("--devices %s: %s", (value, code) => {
    expect(thrownCode(() => parseDevices(value))).toBe(code);
  });

  it.each(["1e20", "100000000000000000000", "99999999999s"])("--budget %s is invalid_budget", (budget) => {
    expect(thrownCode(() => parseBudget(budget))).toBe("invalid_budget");
  });

  it.each([
    ["run", "--workers", "100000000000000000000"],
    ["run", "--workers", "5000"],
  ])("%s %s %s is a usage error, not a RangeError", async (...argv) => {
    const r = await runCli([argv[0], "nope.json", argv[1], argv[2]]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("expected a positive integer up to 1024");
  });

  it("eval and run of a valid program with a 2^40-element tensor: limit_exceeded, not a RangeError", async () => {
    const huge = { start: [0, 0], end: [1048576, 1048576] };
    const file = join(dir, "huge.json");
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        kind: "program",
        tensors: [
          { id: "x", dtype: "float32", range: huge },
          { id: "y", dtype: "float32", range: huge },
        ],
        operations: [
          {
            id: "r",
            kernel: "relu",
            inputs: [{ name: "x", tensor: "x", range: huge }],
            outputs: [{ name: "out", tensor: "y", range: huge }],
          },
        ],
        inputs: ["x"],
        outputs: ["y"],
      }),
    );
    const plan = join(dir, "huge.plan.json");
    expect((await runCli(["shard", file, "-o", plan])).code).toBe(0);
    for (const argv of [
      ["eval", file],
      ["run", plan],
    ]) {
      const r = await runCli(argv);
      expect(r.err, argv[0]).toContain("error[limit_exceeded] a float32 tensor of 1099511627776 elements");
      expect(r.code, argv[0]).toBe(2);
    }
  });

  it("shard --devices a,a is refused before a plan is written", async () => {
    const r = await runCli(["shard", "examples/mlp.json", "--devices", "a,a", "-o", join(dir, "p.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error[invalid_argument] --devices a,a: device 'a' is named twice");
  });

  it("shard --home given twice for one input is refused, not silently the last", async () => {
    const r = await runCli([
      "shard",
      "examples/mlp.json",
      "--devices",
      "a,b",
      "--home",
      "x=a",
      "--home",
      "x=b",
      "-o",
      join(dir, "p.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error[invalid_argument] --home x=b: input 'x' is placed twice");
  });
});

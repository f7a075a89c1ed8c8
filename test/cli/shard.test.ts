import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDevices, parseSplitSpecs } from "../../src/cli/split-spec.js";
import { loadProgramFile } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { deriveTaskGraph, parsePlan, validatePlan } from "../../src/plan/index.js";
import { runCli } from "../support/run-cli.js";

const mlp = loadProgramFile("examples/mlp.json", builtinRegistry());
const dir = mkdtempSync(join(tmpdir(), "tessera-shard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runCli;

describe("--split specs", () => {
  it("name dimensions by index name or number, and continue the previous operation after a comma", () => {
    expect(parseSplitSpecs(["fc1=out:2,in:3", "fc2=0:4"], mlp)).toEqual({
      fc1: [
        { dim: 1, parts: 2 },
        { dim: 2, parts: 3 },
      ],
      fc2: [{ dim: 0, parts: 4 }],
    });
  });

  it("accept explicit cut points with @", () => {
    expect(parseSplitSpecs(["fc1=batch0@10/20"], mlp)).toEqual({ fc1: [{ dim: 0, cuts: [10, 20] }] });
  });

  it("reject an unknown operation, an unknown dimension and malformed items with typed errors", () => {
    expect(() => parseSplitSpecs(["nope=0:2"], mlp)).toThrow(
      expect.objectContaining({ code: "plan_mismatch" }),
    );
    expect(() => parseSplitSpecs(["fc1=zz:2"], mlp)).toThrow(
      expect.objectContaining({
        code: "dimension_out_of_bounds",
        message: expect.stringContaining("batch0, out, in"),
      }),
    );
    expect(() => parseSplitSpecs(["fc1=out"], mlp)).toThrow(
      expect.objectContaining({ code: "invalid_split" }),
    );
    expect(() => parseSplitSpecs(["out:2"], mlp)).toThrow(expect.objectContaining({ code: "invalid_split" }));
  });

  it("devices are a count or a list of names", () => {
    expect(parseDevices("3")).toEqual(["d0", "d1", "d2"]);
    expect(parseDevices("gpu0,gpu1")).toEqual(["gpu0", "gpu1"]);
    expect(() => parseDevices("0")).toThrow(expect.objectContaining({ code: "unknown_device" }));
  });
});

describe("tessera shard", () => {
  it("writes a valid plan and reports the derived traffic of a Megatron-style MLP: one partial-sum transfer", async () => {
    const file = join(dir, "mlp.plan.json");
    const r = await run([
      "shard",
      "examples/mlp.json",
      "--split",
      "fc1=out:2,act1=d1:2,fc2=in:2",
      "--devices",
      "2",
      "-o",
      file,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("1 transfers, 16384 bytes moved between devices");
    const { plan, issues } = validatePlan(JSON.parse(readFileSync(file, "utf8")), builtinRegistry());
    expect(issues).toEqual([]);
    expect(plan!.operations.find((o) => o.op === "fc2")!.devices).toEqual(["d0", "d1"]);
    const v = await run(["validate", file]);
    expect(v.code).toBe(0);
    expect(v.out).toContain("valid plan of 'mlp' (4 operations, 7 shards on 2 devices)");
  });

  it("places inputs on a home device with --home, which makes their reads transfers", async () => {
    const file = join(dir, "dp.plan.json");
    const r = await run([
      "shard",
      "examples/mlp.json",
      "--split",
      "fc1=batch0:2",
      "--home",
      "w1=d0",
      "-o",
      file,
    ]);
    expect(r.code).toBe(0);
    const graph = deriveTaskGraph(parsePlan(JSON.parse(readFileSync(file, "utf8")), builtinRegistry()));
    const moved = graph.transfers.map((t) => `${t.tensor}${t.region} ${t.from}→${t.to} ${t.bytes}`);
    // d1's half of the batch needs all of w1 (256×512 float32) from d0, and act1 (whole, on d0)
    // then gathers fc1's second half (16×512) back.
    expect(moved).toEqual([
      `w1[0:256, 0:512) d0→d1 ${256 * 512 * 4}`,
      `fc1[16:32, 0:512) d1→d0 ${16 * 512 * 4}`,
    ]);
    expect(r.out).toContain(`${256 * 512 * 4 + 16 * 512 * 4} bytes moved between devices`);
  });

  it("refuses an -o path it cannot write with write_failed (exit 2), not a stack trace", async () => {
    const r = await runCli(["shard", "examples/mlp.json", "-o", join(dir, "absent", "plan.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `error[write_failed] cannot write the plan ${join(dir, "absent", "plan.json")} (ENOENT)`,
    );
  });

  it("refuses to shard an unshardable operation, naming it and the reason (exit 2)", async () => {
    const r = await run(["shard", "examples/mlp.json", "--split", "fc1=out:1000", "-o", join(dir, "x.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("operation 'fc1' (linear), index dimension out");
    expect(r.err).toContain("split into 1000 parts, but the dimension size is 512");
  });

  it("rejects --home for a tensor that is not an input, or a device that does not exist", async () => {
    expect(
      (await run(["shard", "examples/mlp.json", "--home", "nope=d0", "-o", join(dir, "y.json")])).code,
    ).toBe(2);
    expect(
      (await run(["shard", "examples/mlp.json", "--home", "w1=d9", "-o", join(dir, "y.json")])).code,
    ).toBe(2);
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildGptStack } from "../../examples/gpt-stack.js";
import { parsePinSpecs } from "../../src/cli/pin-spec.js";
import { parseBudget } from "../../src/cli/plan-command.js";
import { loadProgramFile } from "../../src/frontend/index.js";
import { programToJson } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { validatePlan } from "../../src/plan/index.js";
import { readSearchResultFile } from "../../src/search/result/search-result-file.js";
import { runCli } from "../support/run-cli.js";
import { thrownError } from "../support/thrown.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mlp = loadProgramFile("examples/mlp.json", builtinRegistry());
const devices = ["a", "b", "c", "d"];

describe("tessera plan", () => {
  it("prints the front beside the baselines and the bound, and writes the result, plans and report", async () => {
    const out = join(dir, "mlp");
    const r = await runCli([
      "plan",
      "examples/mlp.json",
      "--cluster",
      "dgx-a100",
      "--budget",
      "400",
      "--seed",
      "3",
      "--pin",
      "probs=whole",
      "-o",
      out,
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "planning 'mlp' (4 operations) on 8 devices of cluster 'dgx-a100': budget 400 evaluations, seed 3, 1 worker, 1 pin",
    );
    expect(r.out).toMatch(/^\* front-1 /m);
    for (const name of ["single-device", "data-parallel", "megatron", "lower bound"])
      expect(r.out).toContain(name);
    expect(r.out).toContain("400 plans evaluated");
    const result = readSearchResultFile(join(out, "search-result.json"), builtinRegistry());
    expect(result.stats.evaluations).toBe(400);
    for (const m of result.front) {
      expect(m.plan.operations.find((o) => o.op === "probs")!.sharding.splits).toEqual([]);
      expect(existsSync(join(out, "plans", `${m.name}.plan.json`))).toBe(true);
    }
    const chosen = validatePlan(
      JSON.parse(readFileSync(join(out, "chosen.plan.json"), "utf8")),
      builtinRegistry(),
    );
    expect(chosen.issues).toEqual([]);
    expect(r.out).toContain(`report: ${join(out, "report.html")}`);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<svg");
  });

  it("gives the same front for the same seed and evaluation budget", async () => {
    const run = (o: string) =>
      runCli([
        "plan",
        "examples/mlp.json",
        "--cluster",
        "dgx-a100",
        "--budget",
        "300",
        "--no-report",
        "-o",
        o,
      ]);
    await run(join(dir, "a"));
    await run(join(dir, "b"));
    const front = (o: string) => JSON.parse(readFileSync(join(dir, o, "search-result.json"), "utf8")).front;
    expect(front("a")).toEqual(front("b"));
  });

  it("plans two layers of a stack first, says so, and writes it in the result; --no-tile-stack does not", async () => {
    const file = join(dir, "gpt-4.json");
    writeFileSync(file, JSON.stringify(programToJson(buildGptStack(4))));
    const run = (o: string, ...more: string[]) =>
      runCli([
        "plan",
        file,
        "--cluster",
        "dgx-a100",
        "--budget",
        "60",
        "--no-report",
        "-o",
        join(dir, o),
        ...more,
      ]);
    const tiled = await run("gpt-tiled");
    expect(tiled.code).toBe(0);
    expect(tiled.out).toMatch(
      /a stack of 4 layers \(17 operations each, from 'l0_ln1'\): two of them planned first \(\d+ plans in [^)]+\), \d tiled over the stack as starting plans/,
    );
    const result = readSearchResultFile(join(dir, "gpt-tiled", "search-result.json"), builtinRegistry());
    expect(result.stats.stack).toMatchObject({ firstOperation: "l0_ln1", length: 17, repeats: 4 });
    const plain = await run("gpt-plain", "--no-tile-stack");
    expect(plain.code).toBe(0);
    expect(plain.out).not.toContain("a stack of");
    const plainResult = readSearchResultFile(join(dir, "gpt-plain", "search-result.json"), builtinRegistry());
    expect(plainResult.stats.stack).toBeUndefined();
  });

  it("refuses bad budgets, pins and output folders with exit 2 and a typed error", async () => {
    const base = ["plan", "examples/mlp.json", "--cluster", "dgx-a100", "--no-report", "-o", join(dir, "x")];
    const budget = await runCli([...base, "--budget", "soon"]);
    expect(budget.code).toBe(2);
    expect(budget.err).toContain("error[invalid_budget]");
    const pin = await runCli([...base, "--budget", "10", "--pin", "nope=whole"]);
    expect(pin.code).toBe(2);
    expect(pin.err).toContain("error[plan_mismatch]");
    const blocker = join(dir, "file");
    writeFileSync(blocker, "");
    const folder = await runCli([
      "plan",
      "examples/mlp.json",
      "--cluster",
      "dgx-a100",
      "--budget",
      "10",
      "--no-report",
      "-o",
      join(blocker, "sub"),
    ]);
    expect(folder.code).toBe(2);
    expect(folder.err).toContain("error[write_failed]");
    const pricing = await runCli([...base, "--pricing", "fast"]);
    expect(pricing.code).toBe(2);
  });
});

describe("--budget", () => {
  it("reads seconds, milliseconds, evaluations and both", () => {
    expect(parseBudget("30s")).toEqual({ seconds: 30 });
    expect(parseBudget("500ms")).toEqual({ seconds: 0.5 });
    expect(parseBudget("20000")).toEqual({ evaluations: 20000 });
    expect(parseBudget("1.5s,300")).toEqual({ seconds: 1.5, evaluations: 300 });
  });

  it("refuses anything else", () => {
    for (const bad of ["", "s", "10m", "0", "0s", "1s,2s", "5,6", "-3"])
      expect(thrownError(() => parseBudget(bad)).code).toBe("invalid_budget");
  });
});

describe("--pin", () => {
  it("reads splits by dimension name, whole operations, placements and confinements", () => {
    expect(parsePinSpecs(["fc1=out:2,in:2", "probs=whole", "act1=1:2@a,2", "fc2@c,d"], mlp, devices)).toEqual(
      [
        {
          op: "fc1",
          splits: [
            { dim: 1, parts: 2 },
            { dim: 2, parts: 2 },
          ],
        },
        { op: "probs", splits: [] },
        { op: "act1", splits: [{ dim: 1, parts: 2 }], devices: ["a", "c"] },
        { op: "fc2", devices: ["c", "d"] },
      ],
    );
  });

  it("refuses malformed pins", () => {
    expect(thrownError(() => parsePinSpecs(["fc1"], mlp, devices)).code).toBe("invalid_pin");
    expect(thrownError(() => parsePinSpecs(["fc1="], mlp, devices)).code).toBe("invalid_pin");
    expect(thrownError(() => parsePinSpecs(["fc1@a,"], mlp, devices)).code).toBe("invalid_pin");
    expect(thrownError(() => parsePinSpecs(["fc1@9"], mlp, devices)).code).toBe("unknown_device");
    expect(thrownError(() => parsePinSpecs(["fc1=zz:2"], mlp, devices)).code).toBe("dimension_out_of_bounds");
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../src/cli/main.js";
import { planToJson } from "../../src/plan/index.js";
import { searchResultToJson } from "../../src/search/result/search-result-file.js";
import { megatronMlp } from "../report/programs.js";
import { sampleResult } from "../report/sample-results.js";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-report-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const planFile = join(dir, "mlp.plan.json");
writeFileSync(planFile, JSON.stringify(planToJson(megatronMlp())));
const resultFile = join(dir, "mlp.result.json");
writeFileSync(resultFile, JSON.stringify(searchResultToJson(sampleResult("mlp"))));

describe("tessera report", () => {
  it("writes the report of a plan file simulated on the default cluster and prints its path", async () => {
    const out = join(dir, "plan.html");
    const r = await runCli(["report", planFile, "-o", out]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(`report written to ${out} (one plan on dgx-a100)\n`);
    const html = readFileSync(out, "utf8");
    expect(html).toContain('data-kind="plan"');
    expect(html).toContain("cluster <b>dgx-a100</b>");
    expect(html).toContain(`from <code>${planFile}</code>`);
    expect(html).toContain("<h3>mlp.plan</h3>");
  });

  it("simulates a plan on --cluster with --pricing", async () => {
    const out = join(dir, "local.html");
    const r = await runCli(["report", planFile, "-o", out, "--cluster", "local", "--pricing", "collective"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("(one plan on local)");
    expect(readFileSync(out, "utf8")).toContain("collective pricing");
  });

  it("writes the report of a search result, with its front, and limits the pictures", async () => {
    const out = join(dir, "result.html");
    const r = await runCli(["report", resultFile, "--out", out, "--max-pictures", "2"]);
    expect(r.code).toBe(0);
    const result = sampleResult("mlp");
    expect(r.out).toBe(
      `report written to ${out} (${result.front.length} front plans, ${result.baselines.length} others)\n`,
    );
    const html = readFileSync(out, "utf8");
    expect(html).toContain('data-kind="search-result"');
    expect(html.match(/class="figure plan-graph"/g)).toHaveLength(2);
  });

  it("draws only the chosen plan when the picture budget is one task", async () => {
    const out = join(dir, "budget.html");
    const r = await runCli(["report", resultFile, "--out", out, "--picture-budget", "1"]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8").match(/class="figure plan-graph"/g)).toHaveLength(1);
  });

  it("notes that a search result ignores --cluster and --pricing", async () => {
    const r = await runCli(["report", resultFile, "-o", join(dir, "r2.html"), "--cluster", "local"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("note: a search result carries its own cluster and pricing");
  });

  it("refuses a document of another kind: exit 2, unexpected_kind", async () => {
    const r = await runCli(["report", "examples/mlp.json", "-o", join(dir, "x.html")]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain(
      'error[unexpected_kind] examples/mlp.json is a \'program\' document; tessera report reads a plan (kind "plan") or a search result (kind "search-result")',
    );
    const none = join(dir, "none.json");
    writeFileSync(none, "[1, 2]");
    const r2 = await runCli(["report", none]);
    expect(r2.code).toBe(EXIT_USER_ERROR);
    expect(r2.err).toContain("is a document without a string `kind`");
  });

  it("reports an invalid search result's issues with their paths: exit 2", async () => {
    const bad = join(dir, "bad.result.json");
    const json = JSON.parse(readFileSync(resultFile, "utf8")) as Record<string, unknown>;
    writeFileSync(bad, JSON.stringify({ ...json, chosen: 99 }));
    const r = await runCli(["report", bad, "-o", join(dir, "bad.html")]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain("invalid search result");
    expect(r.err).toContain("error[invalid_search_result] at /chosen");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("a missing file, an unknown preset, a bad pricing and a bad --max-pictures: exit 2", async () => {
    const missing = await runCli(["report", join(dir, "absent.json")]);
    expect(missing.code).toBe(EXIT_USER_ERROR);
    expect(missing.err).toContain("error[file_not_found] cannot read");
    const preset = await runCli(["report", planFile, "--cluster", "tpu-v9", "-o", join(dir, "p.html")]);
    expect(preset.code).toBe(EXIT_USER_ERROR);
    expect(preset.err).toContain("error[unknown_preset]");
    const pricing = await runCli(["report", planFile, "--pricing", "fast"]);
    expect(pricing.code).toBe(EXIT_USER_ERROR);
    expect(pricing.err).toContain("--pricing must be point-to-point or collective");
    const pictures = await runCli(["report", planFile, "--max-pictures", "0"]);
    expect(pictures.code).toBe(EXIT_USER_ERROR);
    expect(pictures.err).toContain("expected a positive integer");
    const budget = await runCli(["report", planFile, "--picture-budget", "lots"]);
    expect(budget.code).toBe(EXIT_USER_ERROR);
    expect(budget.err).toContain("expected a positive integer");
  });

  it("an unwritable output path: exit 2, write_failed", async () => {
    const r = await runCli(["report", planFile, "-o", join(planFile, "r.html")]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain("error[write_failed] cannot write the report to");
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkSchema, type JsonValue, ValidationError } from "../../src/base/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan, planToJson } from "../../src/plan/index.js";
import type { SearchResult } from "../../src/search/result/search-result.js";
import {
  parseSearchResult,
  readSearchResultFile,
  searchResultToJson,
  validateSearchResult,
} from "../../src/search/result/search-result-file.js";
import { sampleResult } from "../report/sample-results.js";
import { expectTesseraError } from "../zspace/expect-error.js";

const registry = builtinRegistry();
const dir = mkdtempSync(join(tmpdir(), "tessera-search-result-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A result with an ILP optimum carrying a plan, so that every optional part is present. */
function fullResult(): SearchResult {
  const r = sampleResult("mlp");
  return {
    ...r,
    optimum: {
      status: "optimal",
      seconds: 0.5,
      plan: r.front[1]!,
      objective: 1.5e-5,
      variables: 211,
      bound: 1.4e-5,
    },
  };
}

/** The JSON of `fullResult`, as a mutable plain object to break in tests. */
function doc(): Record<string, JsonValue> & {
  front: Record<string, Record<string, JsonValue>>[];
  [k: string]: JsonValue;
} {
  return JSON.parse(JSON.stringify(searchResultToJson(fullResult())));
}

const issuesOf = (json: unknown) => validateSearchResult(json, registry).issues;

describe("search result file", () => {
  it("round-trips: the document parses back to an equal result, and writes the same document again", () => {
    const result = fullResult();
    const json = searchResultToJson(result);
    expect(checkSchema("search-result", json)).toEqual([]);
    const back = parseSearchResult(json, registry);
    expect(searchResultToJson(back)).toEqual(json);
    expect(back.cluster).toEqual(result.cluster);
    expect(back.chosen).toBe(result.chosen);
    expect(back.lowerBound).toEqual(result.lowerBound);
    expect(back.stats).toEqual(result.stats);
    const plans = (r: SearchResult) => [...r.front, ...r.baselines, r.optimum!.plan!];
    expect(plans(back).map((s) => [s.name, planToJson(s.plan), s.cost])).toEqual(
      plans(result).map((s) => [s.name, planToJson(s.plan), s.cost]),
    );
  });

  it("stores the program once: plans carry no program of their own", () => {
    const json = doc();
    expect(json.kind).toBe("search-result");
    expect(json.version).toBe(1);
    expect(Object.keys(json.front[0]!.plan!)).not.toContain("program");
    expect(JSON.stringify(json).split('"kind":"program"')).toHaveLength(2);
  });

  it("parses a result with a different pricing and no optimum", () => {
    const r = sampleResult("conv-net", { pricing: "collective" });
    const back = parseSearchResult(searchResultToJson(r), registry);
    expect(back.pricing).toBe("collective");
    expect(back.optimum).toBeUndefined();
  });

  it("reads a file, JSON or YAML", () => {
    const file = join(dir, "result.json");
    writeFileSync(file, JSON.stringify(searchResultToJson(fullResult())));
    expect(readSearchResultFile(file, registry).front).toHaveLength(fullResult().front.length);
  });
});

describe("search result errors", () => {
  it("a document that violates the schema: schema_violation at the offending field", () => {
    const json = doc();
    delete json.stats;
    json.kind = "plan";
    const issues = issuesOf(json);
    expect(issues.map((i) => [i.code, i.path])).toEqual(
      expect.arrayContaining([
        ["schema_violation", ""],
        ["schema_violation", "/kind"],
      ]),
    );
  });

  it("an empty front is a schema violation", () => {
    const json = doc();
    json.front = [];
    expect(issuesOf(json).map((i) => [i.code, i.path])).toEqual([["schema_violation", "/front"]]);
  });

  it("another version: unsupported_version", () => {
    const json = doc();
    json.version = 2;
    expect(issuesOf(json).map((i) => i.code)).toEqual(["unsupported_version"]);
  });

  it("a broken program: its issues under /program, and no plan is checked", () => {
    const json = doc();
    const program = json.program as Record<string, JsonValue>;
    json.program = { ...program, outputs: ["nope"] };
    const issues = issuesOf(json);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.path.startsWith("/program/"))).toBe(true);
    expect(issues.map((i) => i.code)).toContain("unknown_tensor");
  });

  it("a broken cluster: its issues under /cluster", () => {
    const json = doc();
    const cluster = json.cluster as Record<string, JsonValue>;
    json.cluster = { ...cluster, hosts: [{ id: "h", deviceType: "tpu", devices: 8 }] };
    expect(issuesOf(json).map((i) => [i.code, i.path])).toEqual([
      ["invalid_cluster", "/cluster/hosts/0/deviceType"],
    ]);
  });

  it("a broken plan: validatePlan's issues under that plan's path", () => {
    const json = doc();
    const ops = json.front[1]!.plan!.operations as Record<string, JsonValue>[];
    ops[0] = { ...ops[0]!, devices: ["gpu9", ...(ops[0]!.devices as string[]).slice(1)] };
    expect(issuesOf(json).map((i) => [i.code, i.path])).toEqual([
      ["unknown_device", "/front/1/plan/operations/0/devices/0"],
    ]);
  });

  it("a plan for more devices than the cluster has: too_many_devices", () => {
    const r = sampleResult("mlp");
    const wide = makePlan(r.front[0]!.plan.program, {
      devices: Array.from({ length: 9 }, (_, i) => `d${i}`),
    });
    const json = searchResultToJson({ ...r, baselines: [{ ...r.baselines[0]!, plan: wide }] });
    expect(issuesOf(json).map((i) => [i.code, i.path])).toEqual([
      ["too_many_devices", "/baselines/0/plan/devices"],
    ]);
  });

  it("a plan mixing cluster device ids and other names: unmapped_device", () => {
    const r = sampleResult("mlp");
    const mixed = makePlan(r.front[0]!.plan.program, { devices: ["node0.d0", "gpu1"] });
    const json = searchResultToJson({
      ...r,
      optimum: { status: "optimal", seconds: 1, plan: { ...r.front[0]!, plan: mixed } },
    });
    expect(issuesOf(json).map((i) => [i.code, i.path])).toEqual([
      ["unmapped_device", "/optimum/plan/plan/devices"],
    ]);
  });

  it("a front out of makespan order: invalid_search_result", () => {
    const r = sampleResult("mlp");
    const json = searchResultToJson({ ...r, front: [...r.front].reverse() });
    const issues = issuesOf(json);
    expect(issues.map((i) => i.code)).toEqual(Array(r.front.length - 1).fill("invalid_search_result"));
    expect(issues[0]!.path).toBe("/front/1/cost/makespan");
  });

  it("a chosen index off the front: invalid_search_result at /chosen", () => {
    const json = doc();
    json.chosen = json.front.length;
    expect(issuesOf(json).map((i) => [i.code, i.path])).toEqual([["invalid_search_result", "/chosen"]]);
  });

  it("an optimal ILP outcome without a plan: invalid_search_result at /optimum", () => {
    const json = doc();
    json.optimum = { status: "optimal", seconds: 1 };
    expect(issuesOf(json).map((i) => [i.code, i.path])).toEqual([["invalid_search_result", "/optimum"]]);
  });

  it("a cost vector naming a device its plan lacks: invalid_search_result", () => {
    const json = doc();
    const cost = json.front[0]!.cost as Record<string, JsonValue>;
    json.front[0]!.cost = {
      ...cost,
      peakMemory: { ...(cost.peakMemory as Record<string, JsonValue>), ghost: 1 },
    };
    expect(issuesOf(json).map((i) => [i.code, i.path])).toEqual([
      ["invalid_search_result", "/front/0/cost/peakMemory/ghost"],
    ]);
  });

  it("parseSearchResult throws a ValidationError carrying every issue", () => {
    const json = doc();
    json.chosen = 99;
    json.version = 1;
    let thrown: unknown;
    try {
      parseSearchResult(json, registry);
    } catch (e: unknown) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).codes).toEqual(["invalid_search_result"]);
    expect((thrown as ValidationError).summary).toContain("invalid search result");
  });

  it("writing a result with no plan at all: invalid_search_result", () => {
    expectTesseraError(
      () => searchResultToJson({ ...sampleResult("mlp"), front: [], baselines: [] }),
      "invalid_search_result",
    );
  });

  it("a missing or malformed file: file_not_found or invalid_json naming it", () => {
    expectTesseraError(() => readSearchResultFile(join(dir, "absent.json"), registry), "file_not_found");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    expectTesseraError(() => readSearchResultFile(bad, registry), "invalid_json");
  });
});

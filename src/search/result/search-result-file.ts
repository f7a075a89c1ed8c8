import { readDocumentFile } from "../../base/document-file.js";
import { isTesseraError, TesseraError, throwIfIssues } from "../../base/errors.js";
import { type Issue, IssueCollector } from "../../base/issue.js";
import { type JsonValue, pointer } from "../../base/json.js";
import { checkSchema } from "../../base/schema-check.js";
import type { Cluster } from "../../cluster/cluster.js";
import { clusterToJson, validateCluster } from "../../cluster/parse-cluster.js";
import type { Pricing } from "../../cost/context.js";
import { mapDevices } from "../../cost/device-map.js";
import type { CostVector } from "../../cost/simulation.js";
import { programToJson } from "../../ir/encode-program.js";
import { validateProgram } from "../../ir/validate-program.js";
import type { KernelRegistry } from "../../kernels/registry.js";
import { planToJson } from "../../plan/encode-plan.js";
import type { Plan } from "../../plan/plan.js";
import { validatePlan } from "../../plan/validate-plan.js";
import type { LowerBound } from "../lower-bound.js";
import {
  type IlpOutcome,
  type ScoredPlan,
  SEARCH_RESULT_VERSION,
  type SearchResult,
  type SearchStats,
} from "./search-result.js";

/** The outcome of validating a search result document: the result when valid, and every issue found. */
export interface SearchResultValidation {
  readonly result: SearchResult | undefined;
  readonly issues: readonly Issue[];
}

interface ScoredPlanJson {
  readonly name: string;
  readonly plan: Readonly<Record<string, JsonValue>>;
  readonly cost: CostVector;
}

interface SearchResultJson {
  readonly program: JsonValue;
  readonly cluster: JsonValue;
  readonly pricing: Pricing;
  readonly front: readonly ScoredPlanJson[];
  readonly chosen: number;
  readonly baselines: readonly ScoredPlanJson[];
  readonly optimum?: {
    readonly status: IlpOutcome["status"];
    readonly seconds: number;
    readonly plan?: ScoredPlanJson;
    readonly objective?: number;
    readonly variables?: number;
    readonly bound?: number;
  };
  readonly lowerBound: LowerBound;
  readonly stats: SearchStats;
}

/** A plan's document without its program, which a search result stores once for all plans. */
function planBody(plan: Plan): JsonValue {
  const { version: _v, kind: _k, program: _p, ...rest } = planToJson(plan) as Record<string, JsonValue>;
  return rest;
}

function scoredToJson(s: ScoredPlan): JsonValue {
  return { name: s.name, plan: planBody(s.plan), cost: s.cost as unknown as JsonValue };
}

/**
 * The JSON document of a search result (`schemas/search-result.schema.json`): the program and
 * the cluster once at the top level, every plan without its program (all plans of a result share
 * the front's program). `parseSearchResult` reads it back to an equal result. Throws
 * `invalid_search_result` for a result with no plan at all.
 */
export function searchResultToJson(result: SearchResult): JsonValue {
  const first = result.front[0] ?? result.baselines[0];
  if (first === undefined)
    throw new TesseraError(
      "invalid_search_result",
      "a search result without any plan has no program to write",
      {
        front: 0,
        baselines: 0,
      },
    );
  const doc = {
    version: result.version,
    kind: "search-result",
    // A plan that recomputes runs a rewritten program; the result stores the one before (as plan files do).
    program: programToJson(first.plan.recompute?.program ?? first.plan.program),
    cluster: clusterToJson(result.cluster),
    pricing: result.pricing,
    front: result.front.map(scoredToJson),
    chosen: result.chosen,
    baselines: result.baselines.map(scoredToJson),
    ...(result.optimum === undefined
      ? {}
      : {
          optimum: {
            status: result.optimum.status,
            seconds: result.optimum.seconds,
            ...(result.optimum.plan === undefined ? {} : { plan: scoredToJson(result.optimum.plan) }),
            ...(result.optimum.objective === undefined ? {} : { objective: result.optimum.objective }),
            ...(result.optimum.variables === undefined ? {} : { variables: result.optimum.variables }),
            ...(result.optimum.bound === undefined ? {} : { bound: result.optimum.bound }),
          },
        }),
    lowerBound: result.lowerBound,
    stats: result.stats,
  };
  // Through JSON text so that the value is plain data (no undefined fields, no class instances).
  return JSON.parse(JSON.stringify(doc)) as JsonValue;
}

/**
 * Validates a search result document: its schema, the program (issues under `/program`, checked
 * once for all plans), the cluster (under `/cluster`), and every plan against the program
 * (`validatePlan`, issues under the plan's path). Checks that the front is by ascending
 * makespan, `chosen` indexes it, each plan's devices map onto the cluster (`too_many_devices`,
 * `unmapped_device`) and each cost vector's `peakMemory` names only the plan's devices.
 */
export function validateSearchResult(json: unknown, registry: KernelRegistry): SearchResultValidation {
  const schemaIssues = checkSchema("search-result", json);
  if (schemaIssues.length > 0) return { result: undefined, issues: schemaIssues };
  const doc = json as SearchResultJson;
  const issues = new IssueCollector();
  const programCheck = validateProgram(doc.program, registry);
  issues.addAll(programCheck.issues, "/program");
  const clusterCheck = validateCluster(doc.cluster);
  issues.addAll(clusterCheck.issues, "/cluster");
  const cluster = clusterCheck.cluster;
  if (programCheck.program === undefined || cluster === undefined)
    return { result: undefined, issues: issues.issues };

  const scored = (s: ScoredPlanJson, path: string): ScoredPlan | undefined => {
    const plan = planOf(s, path, doc.program, cluster, registry, issues);
    return plan === undefined ? undefined : { name: s.name, plan, cost: s.cost };
  };
  const front = doc.front.map((s, i) => scored(s, `/front/${i}`));
  const baselines = doc.baselines.map((s, i) => scored(s, `/baselines/${i}`));
  const optimumPlan = doc.optimum?.plan === undefined ? undefined : scored(doc.optimum.plan, "/optimum/plan");

  doc.front.forEach((s, i) => {
    const before = doc.front[i - 1];
    if (before !== undefined && s.cost.makespan < before.cost.makespan)
      issues.add(
        "invalid_search_result",
        `/front/${i}/cost/makespan`,
        `the front must be by ascending makespan, but '${s.name}' (${s.cost.makespan} s) follows '${before.name}' (${before.cost.makespan} s)`,
        { plan: s.name, makespan: s.cost.makespan, previous: before.cost.makespan },
      );
  });
  if (doc.chosen >= doc.front.length)
    issues.add(
      "invalid_search_result",
      "/chosen",
      `chosen plan ${doc.chosen} is not on the front, which has ${doc.front.length} plan${doc.front.length === 1 ? "" : "s"}`,
      { expected: doc.front.length - 1, found: doc.chosen },
    );
  if (doc.optimum !== undefined && doc.optimum.status === "optimal" && doc.optimum.plan === undefined)
    issues.add("invalid_search_result", "/optimum", "an optimal ILP outcome must carry its plan", {
      status: doc.optimum.status,
    });
  if (!issues.ok) return { result: undefined, issues: issues.issues };

  const optimum: IlpOutcome | undefined =
    doc.optimum === undefined
      ? undefined
      : {
          status: doc.optimum.status,
          seconds: doc.optimum.seconds,
          ...(optimumPlan === undefined ? {} : { plan: optimumPlan }),
          ...(doc.optimum.objective === undefined ? {} : { objective: doc.optimum.objective }),
          ...(doc.optimum.variables === undefined ? {} : { variables: doc.optimum.variables }),
          ...(doc.optimum.bound === undefined ? {} : { bound: doc.optimum.bound }),
        };
  const result: SearchResult = {
    version: SEARCH_RESULT_VERSION,
    cluster,
    pricing: doc.pricing,
    front: front as ScoredPlan[],
    chosen: doc.chosen,
    baselines: baselines as ScoredPlan[],
    ...(optimum === undefined ? {} : { optimum }),
    lowerBound: doc.lowerBound,
    stats: doc.stats,
  };
  return { result, issues: [] };
}

/** Rebuilds and validates one stored plan; records issues under `path` and returns undefined when invalid. */
function planOf(
  s: ScoredPlanJson,
  path: string,
  program: JsonValue,
  cluster: Cluster,
  registry: KernelRegistry,
  issues: IssueCollector,
): Plan | undefined {
  const planPath = `${path}/plan`;
  // The program is valid (checked once by the caller), so `validatePlan` finds issues in the
  // plan's own fields only, at paths relative to the plan body.
  const check = validatePlan({ version: 1, kind: "plan", program, ...s.plan }, registry);
  issues.addAll(check.issues, planPath);
  const plan = check.plan;
  if (plan === undefined) return undefined;
  const before = issues.issues.length;
  try {
    mapDevices(plan, cluster);
  } catch (error: unknown) {
    if (!isTesseraError(error) || error.code === "validation_failed") throw error;
    issues.add(error.code, pointer(planPath, "devices"), error.summary, error.context);
    // A plan that cannot run on the cluster has no meaningful cost vector to check.
    return undefined;
  }
  const devices = new Set(plan.devices);
  for (const d of Object.keys(s.cost.peakMemory)) {
    if (!devices.has(d))
      issues.add(
        "invalid_search_result",
        pointer(`${path}/cost/peakMemory`, d),
        `the cost vector of '${s.name}' gives the peak memory of '${d}', which is not one of its plan's devices (${plan.devices.join(", ")})`,
        { plan: s.name, device: d },
      );
  }
  return issues.issues.length === before ? plan : undefined;
}

/** Validates and returns the search result, or throws `ValidationError` carrying every issue. */
export function parseSearchResult(json: unknown, registry: KernelRegistry): SearchResult {
  const { result, issues } = validateSearchResult(json, registry);
  throwIfIssues(issues, "search result");
  return result!;
}

/** Reads a search result file (JSON or YAML); unreadable or malformed text is `invalid_json`. */
export function readSearchResultFile(path: string, registry: KernelRegistry): SearchResult {
  return parseSearchResult(readDocumentFile(path), registry);
}

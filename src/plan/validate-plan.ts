import { recomputeIssues } from "../autodiff/recompute-program.js";
import { isTesseraError, throwIfIssues } from "../base/errors.js";
import { type Issue, IssueCollector } from "../base/issue.js";
import { type JsonValue, pointer } from "../base/json.js";
import { checkSchema } from "../base/schema-check.js";
import { validateProgram } from "../ir/validate-program.js";
import { checkRegistry, type KernelRegistry } from "../kernels/registry.js";
import { gridSharding, shardCount } from "../shard/operation-sharding.js";
import { combineGeometry, scatterCombines, shardGeometry } from "../shard/shard-geometry.js";
import type { DimSplit } from "../zspace/z-range.js";
import {
  type CombineMode,
  type InputPlacement,
  type OperationPlan,
  PLAN_VERSION,
  type Plan,
} from "./plan.js";
import { withRecompute } from "./recompute-plan.js";
import { deriveTaskGraph } from "./task-graph.js";

interface PlanJson {
  program: JsonValue;
  devices: string[];
  inputs?: { tensor: string; device?: string }[];
  operations: {
    op: string;
    splits: DimSplit[];
    devices: string[];
    combineDevices?: string[];
    combine?: CombineMode;
  }[];
  order?: string[];
  recompute?: string[];
}

/** The outcome of validating a plan: the plan when valid, and every issue found. */
export interface PlanValidation {
  readonly plan: Plan | undefined;
  readonly issues: readonly Issue[];
}

/**
 * Validates a plan document: its embedded program (issues under `/program`), one entry per
 * operation, shardings that cut each index range (refusing unshardable operations), one known
 * device per shard and per combine step (per chunk when a reduction is scattered), input
 * placements, the recomputed activations (each one a training step may recompute, once), and
 * the order when given (over the tasks as they run: recomputing copies included).
 */
export function validatePlan(json: unknown, registry: KernelRegistry): PlanValidation {
  checkRegistry(registry, "validatePlan");
  const schemaIssues = checkSchema("plan", json);
  if (schemaIssues.length > 0) return { plan: undefined, issues: schemaIssues };
  const doc = json as PlanJson;
  const issues = new IssueCollector();
  const programCheck = validateProgram(doc.program, registry);
  issues.addAll(programCheck.issues, "/program");
  const program = programCheck.program;
  if (program === undefined) return { plan: undefined, issues: issues.issues };

  const devices = new Set<string>();
  doc.devices.forEach((d, i) => {
    if (devices.has(d))
      issues.add("duplicate_id", `/devices/${i}`, `device '${d}' is listed more than once`, { device: d });
    devices.add(d);
  });
  const checkDevice = (d: string, path: string) => {
    if (!devices.has(d))
      issues.add(
        "unknown_device",
        path,
        `'${d}' is not one of the plan's devices (${doc.devices.join(", ")})`,
        { device: d },
      );
  };

  const inputs: InputPlacement[] = [];
  const placed = new Set<string>();
  (doc.inputs ?? []).forEach((p, i) => {
    const path = `/inputs/${i}`;
    if (!program.inputs.includes(p.tensor)) {
      issues.add("unknown_tensor", pointer(path, "tensor"), `'${p.tensor}' is not a program input`, {
        tensor: p.tensor,
      });
    } else if (placed.has(p.tensor)) {
      issues.add("duplicate_id", pointer(path, "tensor"), `input '${p.tensor}' is placed more than once`, {
        tensor: p.tensor,
      });
    }
    placed.add(p.tensor);
    if (p.device !== undefined) checkDevice(p.device, pointer(path, "device"));
    inputs.push(p.device === undefined ? { tensor: p.tensor } : { tensor: p.tensor, device: p.device });
  });
  for (const t of program.inputs) if (!placed.has(t)) inputs.push({ tensor: t });

  const entries = new Map<string, number>();
  const operations: OperationPlan[] = [];
  doc.operations.forEach((entry, i) => {
    const path = `/operations/${i}`;
    const op = program.operations.find((o) => o.id === entry.op);
    if (op === undefined) {
      issues.add("plan_mismatch", pointer(path, "op"), `the program has no operation '${entry.op}'`, {
        op: entry.op,
      });
      return;
    }
    if (entries.has(entry.op)) {
      issues.add("plan_mismatch", pointer(path, "op"), `operation '${entry.op}' is planned more than once`, {
        op: entry.op,
      });
      return;
    }
    entries.set(entry.op, i);
    let sharding: ReturnType<typeof gridSharding>;
    try {
      sharding = gridSharding(op, entry.splits);
    } catch (error: unknown) {
      if (!isTesseraError(error) || error.code === "validation_failed") throw error;
      issues.add(error.code, pointer(path, "splits"), error.summary, error.context);
      return;
    }
    const n = shardCount(sharding);
    if (entry.devices.length !== n) {
      issues.add(
        "device_count_mismatch",
        pointer(path, "devices"),
        `operation '${op.id}' has ${n} shards but ${entry.devices.length} devices are given`,
        {
          op: op.id,
          expected: n,
          found: entry.devices.length,
        },
      );
    }
    entry.devices.forEach((d, k) => {
      checkDevice(d, pointer(pointer(path, "devices"), k));
    });
    if (entry.combineDevices !== undefined) {
      const gathered = combineGeometry(op, shardGeometry(op, sharding));
      const blocks = (entry.combine === "reduce-scatter" ? scatterCombines(gathered) : gathered).length;
      if (entry.combineDevices.length !== blocks) {
        issues.add(
          "device_count_mismatch",
          pointer(path, "combineDevices"),
          `operation '${op.id}' has ${blocks} combine steps but ${entry.combineDevices.length} combine devices are given`,
          { op: op.id, expected: blocks, found: entry.combineDevices.length },
        );
      }
      entry.combineDevices.forEach((d, k) => {
        checkDevice(d, pointer(pointer(path, "combineDevices"), k));
      });
    }
    operations.push({
      op: op.id,
      sharding,
      devices: entry.devices,
      ...(entry.combineDevices ? { combineDevices: entry.combineDevices } : {}),
      ...(entry.combine === undefined ? {} : { combine: entry.combine }),
    });
  });
  for (const op of program.operations) {
    if (!entries.has(op.id))
      issues.add("plan_mismatch", "/operations", `operation '${op.id}' has no plan entry`, { op: op.id });
  }
  const recompute = doc.recompute ?? [];
  for (const i of recomputeIssues(program, recompute))
    issues.add(i.code, `/recompute/${i.index}`, i.summary, i.context);
  if (!issues.ok) return { plan: undefined, issues: issues.issues };
  const ordered = program.operations.map((op) => operations.find((o) => o.op === op.id)!);
  const planned = withRecompute(
    { version: PLAN_VERSION, program, devices: doc.devices.slice(), inputs, operations: ordered },
    recompute,
  );
  const plan: Plan = doc.order === undefined ? planned : { ...planned, order: doc.order };
  if (plan.order !== undefined) {
    try {
      deriveTaskGraph(plan);
    } catch (error: unknown) {
      if (!isTesseraError(error) || error.code !== "invalid_order") throw error;
      const index = typeof error.context.index === "number" ? error.context.index : undefined;
      issues.add(
        "invalid_order",
        index === undefined ? "/order" : `/order/${index}`,
        error.summary,
        error.context,
      );
      return { plan: undefined, issues: issues.issues };
    }
  }
  return { plan, issues: [] };
}

/** Validates and returns the plan, or throws `ValidationError` carrying every issue. */
export function parsePlan(json: unknown, registry: KernelRegistry): Plan {
  const { plan, issues } = validatePlan(json, registry);
  throwIfIssues(issues, "plan");
  return plan!;
}

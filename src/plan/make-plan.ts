import type { Program } from "../ir/program.js";
import { gridSharding, shardCount } from "../shard/operation-sharding.js";
import type { DimSplit } from "../zspace/z-range.js";
import { type InputPlacement, type OperationPlan, PLAN_VERSION, type Plan } from "./plan.js";

/** What to build a plan from: splits per operation id, the devices, and how to place shards. */
export interface PlanRequest {
  readonly splits?: Readonly<Record<string, readonly DimSplit[]>>;
  readonly devices: readonly string[];
  /** `round-robin` deals each operation's shards over the devices from the first; default. */
  readonly placement?: "round-robin" | Readonly<Record<string, readonly string[]>>;
  readonly inputs?: readonly InputPlacement[];
}

/** `n` device names `d0`..`d{n-1}`. */
export function deviceNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `d${i}`);
}

/**
 * Builds a plan: every operation gets its requested grid sharding (whole when not listed) and
 * a device per shard, dealt round-robin unless an explicit list is given for that operation.
 * Throws the sharding's typed errors (`unshardable`, `invalid_split`) naming the operation.
 */
export function makePlan(program: Program, request: PlanRequest): Plan {
  const operations: OperationPlan[] = program.operations.map((op) => {
    const sharding = gridSharding(op, request.splits?.[op.id] ?? []);
    const n = shardCount(sharding);
    const explicit = typeof request.placement === "object" ? request.placement[op.id] : undefined;
    const devices =
      explicit ?? Array.from({ length: n }, (_, k) => request.devices[k % request.devices.length]!);
    return { op: op.id, sharding, devices };
  });
  return {
    version: PLAN_VERSION,
    program,
    devices: request.devices.slice(),
    inputs: request.inputs ?? program.inputs.map((tensor) => ({ tensor })),
    operations,
  };
}

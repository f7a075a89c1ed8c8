import { TesseraError } from "../base/errors.js";
import { ownValue } from "../base/json.js";
import type { Program } from "../ir/program.js";
import { gridSharding, shardCount } from "../shard/operation-sharding.js";
import type { DimSplit } from "../zspace/z-range.js";
import {
  type CombineMode,
  type InputPlacement,
  type OperationPlan,
  PLAN_VERSION,
  type Plan,
} from "./plan.js";
import { withRecompute } from "./recompute-plan.js";

/** What to build a plan from: splits per operation id, the devices, and how to place shards. */
export interface PlanRequest {
  readonly splits?: Readonly<Record<string, readonly DimSplit[]>>;
  readonly devices: readonly string[];
  /** `round-robin` deals each operation's shards over the devices from the first; default. */
  readonly placement?: "round-robin" | Readonly<Record<string, readonly string[]>>;
  /** Where inputs start; a program input not listed starts pre-distributed. */
  readonly inputs?: readonly InputPlacement[];
  /**
   * How split reductions combine: one mode for every operation, or per operation id (those not
   * listed gather). Default `gather`. See `CombineMode`.
   */
  readonly combine?: CombineMode | Readonly<Record<string, CombineMode>>;
  /** Activations of a training step to recompute for the backward (see `withRecompute`). */
  readonly recompute?: readonly string[];
}

/** `n` device names `d0`..`d{n-1}`. */
export function deviceNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `d${i}`);
}

/**
 * Builds a plan: every operation gets its requested grid sharding (whole when not listed) and
 * a device per shard, dealt round-robin unless an explicit list is given for that operation,
 * and its combine mode (stored only when not the default `gather`); with `recompute`, the
 * copies then mirror the operations they copy. Throws the sharding's typed errors
 * (`unshardable`, `invalid_split`) naming the operation, and `withRecompute`'s.
 */
export function makePlan(program: Program, request: PlanRequest): Plan {
  const operations: OperationPlan[] = program.operations.map((op) => {
    const sharding = gridSharding(op, ownValue(request.splits, op.id) ?? []);
    const n = shardCount(sharding);
    const explicit = typeof request.placement === "object" ? ownValue(request.placement, op.id) : undefined;
    if (explicit !== undefined && explicit.length !== n) {
      throw new TesseraError(
        "device_count_mismatch",
        `operation '${op.id}' has ${n} shards but the placement lists ${explicit.length} devices`,
        {
          op: op.id,
          expected: n,
          found: explicit.length,
        },
      );
    }
    const unknown = explicit?.find((d) => !request.devices.includes(d));
    if (unknown !== undefined) {
      throw new TesseraError(
        "unknown_device",
        `operation '${op.id}' is placed on '${unknown}', which is not one of ${request.devices.join(", ")}`,
        {
          op: op.id,
          device: unknown,
        },
      );
    }
    const devices =
      explicit ?? Array.from({ length: n }, (_, k) => request.devices[k % request.devices.length]!);
    const combine = typeof request.combine === "string" ? request.combine : request.combine?.[op.id];
    return combine === undefined || combine === "gather"
      ? { op: op.id, sharding, devices }
      : { op: op.id, sharding, devices, combine };
  });
  // Inputs the request does not place start pre-distributed, listed after the placed ones:
  // exactly how `validatePlan` reads a document, so that plans round-trip through JSON.
  const placed = request.inputs ?? [];
  const unplaced = program.inputs.filter((t) => !placed.some((p) => p.tensor === t));
  const plan: Plan = {
    version: PLAN_VERSION,
    program,
    devices: request.devices.slice(),
    inputs: [...placed, ...unplaced.map((tensor) => ({ tensor }))],
    operations,
  };
  return request.recompute === undefined ? plan : withRecompute(plan, request.recompute);
}

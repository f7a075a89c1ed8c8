import { TesseraError } from "../../base/errors.js";
import type { Program } from "../../ir/program.js";
import { gridSharding, shardCount } from "../../shard/operation-sharding.js";
import type { DimSplit } from "../../zspace/z-range.js";
import type { PlanChoice } from "./plan-choice.js";

/**
 * A hard constraint on the search, for one operation. `splits` fixes its sharding (`[]`: run
 * whole); `devices` with `splits` fixes each shard's device (one per shard, grid order);
 * `devices` alone confines its shards to that set of devices, the split staying free.
 */
export interface Pin {
  readonly op: string;
  readonly splits?: readonly DimSplit[];
  readonly devices?: readonly string[];
}

/**
 * Checks `pins` against the program and the search's devices, throwing the first problem:
 * `plan_mismatch` (no such operation), `invalid_pin` (an operation pinned twice, or an empty
 * device list), the sharding's own errors (`invalid_split`, `unshardable`,
 * `dimension_out_of_bounds`), `unknown_device`, and `device_count_mismatch` (a placement whose
 * length is not the pinned sharding's shard count).
 */
export function checkPins(program: Program, devices: readonly string[], pins: readonly Pin[]): void {
  const seen = new Set<string>();
  for (const pin of pins) {
    const op = program.operations.find((o) => o.id === pin.op);
    if (op === undefined) {
      throw new TesseraError(
        "plan_mismatch",
        `a pin names operation '${pin.op}', which the program does not have`,
        {
          op: pin.op,
        },
      );
    }
    if (seen.has(pin.op)) {
      throw new TesseraError(
        "invalid_pin",
        `operation '${pin.op}' is pinned twice: give one pin per operation`,
        {
          op: pin.op,
        },
      );
    }
    seen.add(pin.op);
    if (pin.splits === undefined && pin.devices === undefined) {
      throw new TesseraError("invalid_pin", `the pin of '${pin.op}' fixes neither a split nor devices`, {
        op: pin.op,
      });
    }
    if (pin.devices !== undefined) {
      if (pin.devices.length === 0)
        throw new TesseraError("invalid_pin", `the pin of '${pin.op}' lists no devices`, { op: pin.op });
      const unknown = pin.devices.find((d) => !devices.includes(d));
      if (unknown !== undefined) {
        throw new TesseraError(
          "unknown_device",
          `the pin of '${pin.op}' names device '${unknown}', which is not one of the ${devices.length} devices searched (${devices.slice(0, 4).join(", ")}${devices.length > 4 ? ", …" : ""})`,
          { op: pin.op, device: unknown },
        );
      }
    }
    if (pin.splits !== undefined) {
      const n = shardCount(gridSharding(op, pin.splits));
      if (pin.devices !== undefined && pin.devices.length !== n) {
        throw new TesseraError(
          "device_count_mismatch",
          `the pin of '${pin.op}' makes ${n} shards but places ${pin.devices.length}`,
          { op: pin.op, expected: n, found: pin.devices.length },
        );
      }
    }
  }
}

/**
 * `choices` with `pins` applied, as plain data: a pinned sharding replaces the chosen one (on its
 * pinned devices, or dealt over `devices` in order), and shards outside a pinned device set are
 * dealt over that set. Pins must have passed `checkPins`.
 */
export function pinChoices(
  program: Program,
  devices: readonly string[],
  choices: readonly PlanChoice[],
  pins: readonly Pin[],
): PlanChoice[] {
  const byOp = new Map(pins.map((p) => [p.op, p]));
  return choices.map((c) => {
    const pin = byOp.get(c.op);
    if (pin === undefined) return c;
    if (pin.splits !== undefined) {
      const op = program.operations.find((o) => o.id === c.op)!;
      const n = shardCount(gridSharding(op, pin.splits));
      return {
        op: c.op,
        splits: pin.splits,
        devices: pin.devices ?? Array.from({ length: n }, (_, k) => devices[k % devices.length]!),
      };
    }
    const allowed = pin.devices!;
    if (
      c.devices.every((d) => allowed.includes(d)) &&
      (c.combineDevices ?? []).every((d) => allowed.includes(d))
    )
      return c;
    return {
      op: c.op,
      splits: c.splits,
      devices: c.devices.map((_, k) => allowed[k % allowed.length]!),
      ...(c.combine === undefined ? {} : { combine: c.combine }),
    };
  });
}

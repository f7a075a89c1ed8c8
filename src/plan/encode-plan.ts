import type { JsonValue } from "../base/json.js";
import { programToJson } from "../ir/encode-program.js";
import type { Plan } from "./plan.js";

/** The JSON document of a plan (what `validatePlan` reads back to an equal plan). */
export function planToJson(plan: Plan): JsonValue {
  return JSON.parse(
    JSON.stringify({
      version: plan.version,
      kind: "plan",
      program: programToJson(plan.program),
      devices: plan.devices,
      inputs: plan.inputs,
      operations: plan.operations.map((o) => ({
        op: o.op,
        splits: o.sharding.splits,
        devices: o.devices,
        ...(o.combineDevices === undefined ? {} : { combineDevices: o.combineDevices }),
        ...(o.combine === undefined ? {} : { combine: o.combine }),
      })),
      ...(plan.order === undefined ? {} : { order: plan.order }),
    }),
  ) as JsonValue;
}

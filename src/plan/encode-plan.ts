import type { JsonValue } from "../base/json.js";
import { programToJson } from "../ir/encode-program.js";
import type { Plan } from "./plan.js";

/**
 * The JSON document of a plan (what `validatePlan` reads back to an equal plan). A plan that
 * recomputes activations stores the program before the rewrite, the recomputed tensors and
 * the entries of that program's operations (the copies mirror them); its order, when given,
 * lists the tasks as they run, copies included.
 */
export function planToJson(plan: Plan): JsonValue {
  const r = plan.recompute;
  return JSON.parse(
    JSON.stringify({
      version: plan.version,
      kind: "plan",
      program: programToJson(r?.program ?? plan.program),
      devices: plan.devices,
      inputs: plan.inputs,
      ...(r === undefined ? {} : { recompute: r.tensors }),
      operations: plan.operations
        .filter((o) => r?.copies[o.op] === undefined)
        .map((o) => ({
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

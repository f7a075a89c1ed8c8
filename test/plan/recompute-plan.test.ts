// A plan's recompute set: the program it runs is the rewritten one, each copy runs like the
// operation it copies, and a plan file stores the program before the rewrite.
import { describe, expect, it } from "vitest";
import { buildMlpTrain } from "../../examples/mlp-train.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import {
  deriveTaskGraph,
  makePlan,
  parsePlan,
  planToJson,
  recomputedTensors,
  rescalePlan,
  validatePlan,
  withoutRecompute,
  withRecompute,
} from "../../src/plan/index.js";
import { thrownError } from "../support/thrown.js";

const registry = builtinRegistry();
const step = buildMlpTrain(8, 16, 32, 4);
const devices = ["d0", "d1"];
const splits = { fc1: [{ dim: 0, parts: 2 }], act1: [{ dim: 1, parts: 2 }], probs: [{ dim: 0, parts: 2 }] };

describe("a plan that recomputes activations", () => {
  const plan = makePlan(step, { devices, splits, recompute: ["act1", "probs"] });

  it("runs the rewritten program, each copy planned like the operation it copies", () => {
    expect(plan.program.operations.length).toBe(step.operations.length + 2);
    expect(plan.operations.map((o) => o.op)).toEqual(plan.program.operations.map((o) => o.id));
    for (const [copy, of] of Object.entries(plan.recompute!.copies)) {
      const a = plan.operations.find((o) => o.op === copy)!;
      const b = plan.operations.find((o) => o.op === of)!;
      expect({ ...a, op: of }).toEqual(b);
    }
    expect(recomputedTensors(plan)).toEqual(["act1", "probs"]);
    expect(deriveTaskGraph(plan).tasks.some((t) => t.id.startsWith("recompute.act1#"))).toBe(true);
  });

  it("is stored as the program before the rewrite, the set and the original entries, and reads back equal", () => {
    const json = planToJson(plan) as {
      recompute: string[];
      operations: unknown[];
      program: { operations: unknown[] };
    };
    expect(json.recompute).toEqual(["act1", "probs"]);
    expect(json.operations.length).toBe(step.operations.length);
    expect(json.program.operations.length).toBe(step.operations.length);
    const back = parsePlan(json, registry);
    expect(planToJson(back)).toEqual(json);
    expect(back.program.operations.map((o) => o.id)).toEqual(plan.program.operations.map((o) => o.id));
  });

  it("keeps an explicit order over the tasks as they run, copies included", () => {
    const order = deriveTaskGraph(plan).tasks.map((t) => t.id);
    const json = planToJson({ ...plan, order });
    expect(parsePlan(json, registry).order).toEqual(order);
    const without = order.filter((t) => !t.startsWith("recompute."));
    const { issues } = validatePlan({ ...(json as object), order: without }, registry);
    expect(issues.map((i) => i.code)).toEqual(["invalid_order"]);
  });

  it("changes its set with withRecompute, and drops it with an empty one", () => {
    const other = withRecompute(plan, ["probs"]);
    expect(recomputedTensors(other)).toEqual(["probs"]);
    expect(other.program.operations.length).toBe(step.operations.length + 1);
    const none = withRecompute(plan, []);
    expect(none.recompute).toBeUndefined();
    expect(none.program).toBe(step);
    expect(withoutRecompute(plan).operations).toEqual(makePlan(step, { devices, splits }).operations);
  });

  it("simulates the copies' shards as tasks of their own", () => {
    const cluster = presetCluster("dgx-a100");
    const ids = cluster.devices.slice(0, 2).map((d) => d.id);
    const on = (recompute: string[]) =>
      createSimulator(
        makePlan(step, { devices: ids, splits, placement: "round-robin", recompute }),
        cluster,
      ).simulate();
    const kept = on([]);
    const recomputed = on(["act1", "probs"]);
    expect(recomputed.timeline.compute.length).toBe(kept.timeline.compute.length + 4);
    expect(recomputed.timeline.compute.some((c) => c.task.startsWith("recompute.probs#"))).toBe(true);
  });

  it("recomputes the same activations when rescaled to the same step at another size", () => {
    const small = buildMlpTrain(4, 8, 16, 4);
    const scaled = rescalePlan(plan, small);
    expect(recomputedTensors(scaled)).toEqual(["act1", "probs"]);
    expect(scaled.recompute!.program).toBe(small);
    expect(scaled.operations.find((o) => o.op === "recompute.act1")!.sharding.splits).toEqual(splits.act1);
  });

  it("is refused for tensors that are not recomputable activations, at each entry", () => {
    const json = { ...(planToJson(plan) as object), recompute: ["act1", "w1", "act1", "nope"] };
    const { plan: none, issues } = validatePlan(json, registry);
    expect(none).toBeUndefined();
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["not_recomputable", "/recompute/1"],
      ["duplicate_id", "/recompute/2"],
      ["not_recomputable", "/recompute/3"],
    ]);
    expect(thrownError(() => makePlan(step, { devices, recompute: ["w1"] })).code).toBe("not_recomputable");
  });
});

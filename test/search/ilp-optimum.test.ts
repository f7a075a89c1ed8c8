import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator, simulatePlan } from "../../src/cost/index.js";
import { program } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { type Plan, planToJson, validatePlan } from "../../src/plan/index.js";
import { type IlpModel, ilpMemory, ilpModel, ilpObjective } from "../../src/search/ilp/ilp-model.js";
import { ilpOptimum, lowerBound, singleDevicePlan } from "../../src/search/index.js";
import { roundCluster } from "../cost/clusters.js";
import { EXAMPLES, example } from "./example-programs.js";

const splitsOf = (plan: Plan) =>
  Object.fromEntries(
    plan.operations.filter((o) => o.sharding.splits.length > 0).map((o) => [o.op, o.sharding.splits]),
  );

/** The layout index per operation that a plan's splits name in `model`. */
function choiceOf(model: IlpModel, plan: Plan): number[] {
  return model.layouts.map((layouts, v) => {
    const splits = JSON.stringify(plan.operations[v]!.sharding.splits);
    const l = layouts.findIndex((x) => JSON.stringify(x.splits) === splits);
    expect(l, model.ops[v]).toBeGreaterThanOrEqual(0);
    return l;
  });
}

/** Every assignment of one layout per operation, as index vectors. */
function* assignments(counts: readonly number[]): Generator<number[]> {
  const choice = counts.map(() => 0);
  for (;;) {
    yield choice.slice();
    let v = counts.length - 1;
    while (v >= 0 && ++choice[v]! === counts[v]!) choice[v--] = 0;
    if (v < 0) return;
  }
}

/** A chain of 2–3 operations: `matmul → relu`, then a second `matmul`, a `softmax` or nothing. */
function chain(m: number, k: number, n: number, tail: "matmul" | "softmax" | "none"): Program {
  const p = program("chain");
  const h = p.relu(p.matmul(p.input("x", [m, k]), p.input("w", [k, n]), { id: "mm" }), { id: "act" });
  if (tail === "matmul") p.output("y", p.matmul(h, p.input("w2", [n, m]), { id: "mm2" }));
  else if (tail === "softmax") p.output("y", p.softmax(h, {}, { id: "sm" }));
  else p.output("y", h);
  return p.build();
}

describe("ilpOptimum", () => {
  it("cuts an MLP whose weights overflow one device column then row", async () => {
    // w1 is 1024×8192 float32 (32 MiB), w2 8192×512 (16 MiB): neither fits an 8 MB device.
    const mlp = buildMlp(8, 1024, 8192, 512);
    const cluster = roundCluster(1, 8, { memory: 8e6 });
    expect(simulatePlan(singleDevicePlan(mlp, cluster), cluster).cost.feasible).toBe(false);
    const out = await ilpOptimum(mlp, cluster);
    expect(out.status).toBe("optimal");
    const plan = out.plan!;
    expect(plan.name).toBe("ilp-optimum");
    expect(splitsOf(plan.plan)).toEqual({
      fc1: [{ dim: 1, parts: 8 }],
      act1: [{ dim: 1, parts: 8 }],
      fc2: [{ dim: 2, parts: 8 }],
    });
    expect(plan.plan.devices).toEqual(cluster.devices.map((d) => d.id));
    expect(plan.cost).toEqual(createSimulator(plan.plan, cluster).cost());
    expect(plan.cost.feasible).toBe(true);
    const model = ilpModel(mlp, cluster);
    expect(out.objective).toBeCloseTo(ilpObjective(model, choiceOf(model, plan.plan)), 12);
  });

  it("is optimal against brute force over every layout assignment of small chains", async () => {
    const seen = { optimal: 0, infeasible: 0, split: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(2, 4, 6, 8),
        fc.constantFrom(2, 4, 8),
        fc.constantFrom(2, 3, 8),
        fc.constantFrom("matmul", "softmax", "none") as fc.Arbitrary<"matmul" | "softmax" | "none">,
        fc.constantFrom(1, 2),
        fc.constantFrom(2, 3, 4),
        fc.constantFrom(1, 2),
        fc.double({ min: 0.05, max: 1.2, noNaN: true }),
        async (m, k, n, tail, hosts, perHost, maxDims, fraction) => {
          const prog = chain(m, k, n, tail);
          const devices = Math.min(hosts * perHost, 4);
          const layouts = { maxDims };
          // The memory scale: the most any assignment can put on one device.
          const roomy = ilpModel(prog, roundCluster(hosts, perHost), { devices, layouts });
          const most = Math.max(
            ...roomy.devices.map((_, d) =>
              roomy.memory.reduce((s, per) => s + Math.max(...per.map((b) => b[d]!)), 0),
            ),
          );
          const cluster = roundCluster(hosts, perHost, { memory: Math.round(fraction * most) });
          const model = ilpModel(prog, cluster, { devices, layouts });
          let best = Number.POSITIVE_INFINITY;
          for (const choice of assignments(model.layouts.map((l) => l.length))) {
            if (ilpMemory(model, choice).some((b, d) => b > model.capacity[d]!)) continue;
            best = Math.min(best, ilpObjective(model, choice));
          }
          const out = await ilpOptimum(prog, cluster, { devices, layouts });
          if (!Number.isFinite(best)) {
            expect(out.status).toBe("infeasible");
            expect(out.plan).toBeUndefined();
            seen.infeasible++;
            return;
          }
          expect(out.status).toBe("optimal");
          const choice = choiceOf(model, out.plan!.plan);
          expect(ilpMemory(model, choice).every((b, d) => b <= model.capacity[d]! * (1 + 1e-9))).toBe(true);
          expect(out.objective).toBeCloseTo(ilpObjective(model, choice), 12);
          expect(Math.abs(out.objective! - best)).toBeLessThanOrEqual(1e-9 * best);
          seen.optimal++;
          if (choice.some((l) => l > 0)) seen.split++;
        },
      ),
      { numRuns: 25, seed: 7 },
    );
    // The runs cover both outcomes, and optima that cut something.
    expect(seen.optimal).toBeGreaterThan(0);
    expect(seen.infeasible).toBeGreaterThan(0);
    expect(seen.split).toBeGreaterThan(0);
  });

  it.each(EXAMPLES)("%s on a DGX A100: optimal, valid, at most the single-device objective", async (name) => {
    const prog = example(name);
    const cluster = presetCluster("dgx-a100");
    const out = await ilpOptimum(prog, cluster);
    expect(out.status).toBe("optimal");
    const plan = out.plan!.plan;
    expect(validatePlan(planToJson(plan), builtinRegistry()).issues).toEqual([]);
    expect(out.plan!.cost.makespan).toBeGreaterThanOrEqual(lowerBound(prog, cluster).seconds);
    // Every operation whole on the first device is one of the assignments: its objective is
    // the single-device plan's makespan (no transfers, tasks one after another).
    const single = simulatePlan(singleDevicePlan(prog, cluster), cluster).cost.makespan;
    expect(out.objective!).toBeLessThanOrEqual(single * (1 + 1e-12));
    expect(out.variables).toBeGreaterThan(0);
  });

  it("reports infeasible when no assignment fits memory", async () => {
    const out = await ilpOptimum(example("mlp"), roundCluster(1, 2, { memory: 1000 }));
    expect(out.status).toBe("infeasible");
    expect(out.plan).toBeUndefined();
  });

  it("refuses models over the column cap as too large, before solving", async () => {
    const out = await ilpOptimum(example("transformer-block"), presetCluster("dgx-a100"), {
      maxVariables: 100,
    });
    expect(out.status).toBe("too-large");
    expect(out.variables).toBeGreaterThan(100);
    expect(out.plan).toBeUndefined();
  });

  it("stops at the time limit with no plan when the budget is spent before the model is built", async () => {
    const out = await ilpOptimum(example("mlp"), presetCluster("dgx-a100"), { seconds: 1e-9 });
    expect(out.status).toBe("time-limit");
    expect(out.plan).toBeUndefined();
  });

  it("honours pins: a pinned layout on pinned devices, and devices alone", async () => {
    const cluster = roundCluster(1, 4);
    const ids = cluster.devices.map((d) => d.id);
    const out = await ilpOptimum(example("mlp"), cluster, {
      pins: [
        { op: "fc2", splits: [{ dim: 2, parts: 2 }], devices: [ids[3]!, ids[2]!] },
        { op: "probs", devices: [ids[1]!] },
      ],
    });
    expect(out.status).toBe("optimal");
    const ops = Object.fromEntries(out.plan!.plan.operations.map((o) => [o.op, o]));
    expect(ops.fc2!.sharding.splits).toEqual([{ dim: 2, parts: 2 }]);
    expect(ops.fc2!.devices).toEqual([ids[3], ids[2]]);
    expect(ops.probs!.devices).toEqual([ids[1]]);
  });

  it("prices a pinned device list in the model: shards sharing a device add up", () => {
    const cluster = roundCluster(1, 2);
    const ids = cluster.devices.map((d) => d.id);
    const splits = [{ dim: 0, parts: 2 }];
    const apart = ilpModel(example("mlp"), cluster, { pins: [{ op: "fc1", splits }] });
    const shared = ilpModel(example("mlp"), cluster, {
      pins: [{ op: "fc1", splits, devices: [ids[0]!, ids[0]!] }],
    });
    expect(shared.node[0]![0]!).toBeCloseTo(2 * apart.node[0]![0]!, 15);
  });

  describe("errors", () => {
    const mlp = example("mlp");
    const cluster = roundCluster(1, 2);

    it.each([
      [{ seconds: 0 }],
      [{ seconds: -1 }],
      [{ seconds: Number.NaN }],
      [{ maxVariables: 0 }],
      [{ maxVariables: 2.5 }],
      [{ maxVariables: Number.POSITIVE_INFINITY }],
    ])("refuses the budget %j", async (options) => {
      await expect(ilpOptimum(mlp, cluster, options)).rejects.toMatchObject({ code: "invalid_budget" });
    });

    it("refuses a device count the cluster cannot give", async () => {
      await expect(ilpOptimum(mlp, cluster, { devices: 3 })).rejects.toMatchObject({
        code: "invalid_device_count",
      });
    });

    it("refuses pins on unknown operations, given twice, or on unknown devices", async () => {
      await expect(ilpOptimum(mlp, cluster, { pins: [{ op: "nope", splits: [] }] })).rejects.toMatchObject({
        code: "plan_mismatch",
      });
      await expect(
        ilpOptimum(mlp, cluster, {
          pins: [
            { op: "fc1", splits: [] },
            { op: "fc1", splits: [] },
          ],
        }),
      ).rejects.toMatchObject({ code: "invalid_pin" });
      await expect(
        ilpOptimum(mlp, cluster, { pins: [{ op: "fc1", devices: ["elsewhere"] }] }),
      ).rejects.toMatchObject({ code: "unknown_device" });
    });

    it("refuses a pinned layout with more shards than its devices", async () => {
      await expect(
        ilpOptimum(mlp, cluster, { pins: [{ op: "fc1", splits: [{ dim: 0, parts: 4 }] }] }),
      ).rejects.toMatchObject({ code: "invalid_split" });
      await expect(
        ilpOptimum(mlp, cluster, { pins: [{ op: "fc1", splits: [{ dim: 9, parts: 2 }] }] }),
      ).rejects.toMatchObject({ code: "dimension_out_of_bounds" });
    });

    it("refuses a program whose dtype no device of the plan computes", async () => {
      const p = program("f64");
      p.output("y", p.relu(p.input("x", [4, 4], "float64"), { id: "r" }));
      await expect(ilpOptimum(p.build(), roundCluster(1, 2, { float64: false }))).rejects.toMatchObject({
        code: "unsupported_dtype",
      });
    });
  });
});

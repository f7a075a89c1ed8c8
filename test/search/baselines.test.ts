import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { presetCluster } from "../../src/cluster/index.js";
import { simulatePlan } from "../../src/cost/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { deriveTaskGraph, type Plan, planToJson, validatePlan } from "../../src/plan/index.js";
import { dataParallelPlan, lowerBound, megatronPlan, singleDevicePlan } from "../../src/search/index.js";
import { batchAxes, shardGeometry } from "../../src/shard/index.js";
import { EXAMPLES, example } from "./example-programs.js";

const PRESETS = ["dgx-a100", "a100-8x8"] as const;
const BASELINES = {
  single: singleDevicePlan,
  "data-parallel": dataParallelPlan,
  megatron: megatronPlan,
} as const;

const splitsOf = (plan: Plan) =>
  Object.fromEntries(
    plan.operations.filter((o) => o.sharding.splits.length > 0).map((o) => [o.op, o.sharding.splits]),
  );

describe.each(PRESETS)("baselines on %s", (preset) => {
  const cluster = presetCluster(preset);
  describe.each(EXAMPLES)("%s", (name) => {
    const program = example(name);
    it.each(Object.keys(BASELINES) as (keyof typeof BASELINES)[])(
      "%s validates, simulates and respects the bound",
      (b) => {
        const plan = BASELINES[b](program, cluster);
        expect(validatePlan(planToJson(plan), builtinRegistry()).issues).toEqual([]);
        const cost = simulatePlan(plan, cluster).cost;
        expect(cost.makespan).toBeGreaterThan(0);
        expect(cost.makespan).toBeGreaterThanOrEqual(lowerBound(program, cluster).seconds);
      },
    );
  });
});

describe("singleDevicePlan", () => {
  it("runs every operation whole on the cluster's first device", () => {
    const cluster = presetCluster("dgx-a100");
    const plan = singleDevicePlan(example("transformer-block"), cluster);
    expect(plan.devices).toEqual([cluster.devices[0]!.id]);
    expect(plan.operations.every((o) => o.devices.length === 1 && o.devices[0] === plan.devices[0])).toBe(
      true,
    );
  });
});

describe("dataParallelPlan", () => {
  const cluster = presetCluster("dgx-a100");

  it("classifies activations and weights from geometry", () => {
    expect(batchAxes(example("mlp")).activations).toEqual([{ tensor: "x", dim: 0 }]);
    expect(batchAxes(example("mlp")).weights).toEqual(["w1", "b1", "w2", "b2"]);
    expect(batchAxes(example("transformer-block")).activations).toEqual([{ tensor: "x", dim: 0 }]);
    expect(batchAxes(example("conv-net")).activations).toEqual([{ tensor: "x", dim: 0 }]);
  });

  it.each(EXAMPLES)("%s: splits the batch of every operation and never a weight", (name) => {
    const program = example(name);
    const plan = dataParallelPlan(program, cluster);
    const weights = new Set(batchAxes(program).weights);
    const batch = Math.min(
      cluster.devices.length,
      program.tensors.find((t) => t.id === "x")!.range.shape.coords[0]!,
    );
    expect(plan.devices).toHaveLength(batch);
    for (const [k, op] of program.operations.entries()) {
      const sharding = plan.operations[k]!.sharding;
      expect(sharding.splits, op.id).toHaveLength(1);
      expect(op.signature.reductions.map((r) => r.dim)).not.toContain(sharding.splits[0]!.dim);
      for (const shard of shardGeometry(op, sharding)) {
        for (const sel of op.inputs.filter((s) => weights.has(s.tensor)))
          expect(shard.inputs[sel.name]!.equals(sel.range), `${op.id} reads all of ${sel.tensor}`).toBe(true);
      }
    }
  });

  it("splits queries, not keys, in attention scores, and caps devices by the batch", () => {
    expect(splitsOf(dataParallelPlan(example("transformer-block"), cluster)).scores).toEqual([
      { dim: 1, parts: 8 },
    ]);
    expect(dataParallelPlan(example("conv-net"), cluster).devices).toHaveLength(4);
    expect(dataParallelPlan(example("mlp"), cluster, 2).devices).toEqual(
      cluster.devices.slice(0, 2).map((d) => d.id),
    );
  });

  it("refuses a device count the cluster cannot give", () => {
    expect(() => dataParallelPlan(example("mlp"), cluster, 9)).toThrow(
      expect.objectContaining({ code: "invalid_device_count" }),
    );
    expect(() => megatronPlan(example("mlp"), cluster, 0)).toThrow(
      expect.objectContaining({ code: "invalid_device_count" }),
    );
  });
});

describe("megatronPlan", () => {
  const cluster = presetCluster("dgx-a100");
  const partials = (plan: Plan) => deriveTaskGraph(plan).transfers.filter((t) => t.partial);

  it("cuts the MLP column then row, with one partial transfer into one combine on 2 devices", () => {
    const plan = megatronPlan(example("mlp"), cluster, 2);
    expect(splitsOf(plan)).toEqual({
      fc1: [{ dim: 1, parts: 2 }],
      act1: [{ dim: 1, parts: 2 }],
      fc2: [{ dim: 2, parts: 2 }],
      // Off the axis: sequence-parallel along its widest non-reduction dimension (the batch).
      probs: [{ dim: 0, parts: 2 }],
    });
    const p = partials(plan);
    expect(p).toHaveLength(1);
    expect(p[0]!.tensor).toBe("fc2");
  });

  it("on n devices, the row-parallel linear sends n − 1 partials to its one combine", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), (n) => {
        const p = partials(megatronPlan(example("mlp"), cluster, n));
        expect(p).toHaveLength(n - 1);
        expect(new Set(p.map((t) => t.to)).size).toBe(1);
      }),
      { numRuns: 7 },
    );
  });

  it("splits the transformer block's heads and its MLP column/row", () => {
    const splits = splitsOf(megatronPlan(example("transformer-block"), cluster, 2));
    const heads = ["q", "k", "v", "k_t", "scores", "attn", "context", "out_proj", "head_sum"];
    for (const op of heads) expect(splits[op], op).toEqual([{ dim: 0, parts: 2 }]);
    expect(splits.mlp_up).toEqual([{ dim: 1, parts: 2 }]);
    expect(splits.mlp_act).toEqual([{ dim: 1, parts: 2 }]);
    expect(splits.mlp_down).toEqual([{ dim: 2, parts: 2 }]);
    // Every other operation (norms, residuals) is sequence-parallel: none is parked on one device.
    const block = example("transformer-block");
    for (const op of block.operations.filter(
      (o) => ![...heads, "mlp_up", "mlp_act", "mlp_down"].includes(o.id),
    ))
      expect(splits[op.id], op.id).toEqual([expect.objectContaining({ parts: 2 })]);
    // One combine per row-parallel operation: the head sum and the MLP's down projection.
    const combines = deriveTaskGraph(megatronPlan(example("transformer-block"), cluster, 2)).tasks.filter(
      (t) => t.kind === "combine",
    );
    expect(combines.map((t) => t.op).sort()).toEqual(["head_sum", "mlp_down"]);
  });

  it("caps the heads axis at the number of heads", () => {
    const splits = splitsOf(megatronPlan(example("transformer-block"), cluster));
    expect(splits.scores).toEqual([{ dim: 0, parts: 4 }]);
    expect(splits.mlp_up).toEqual([{ dim: 1, parts: 8 }]);
  });
});

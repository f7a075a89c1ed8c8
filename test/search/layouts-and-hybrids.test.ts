import { describe, expect, it } from "vitest";
import { buildGptStack } from "../../examples/gpt-stack.js";
import { buildTransformerBlock } from "../../examples/transformer-block.js";
import { presetCluster } from "../../src/cluster/index.js";
import { program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { planToJson, validatePlan } from "../../src/plan/index.js";
import { hybridPlan, layoutChoices, tensorParallelAxes } from "../../src/search/index.js";
import { gridSharding, shardCount } from "../../src/shard/index.js";

const block = buildTransformerBlock(64, 128, 8, 512);
const cluster = presetCluster("dgx-a100");

describe("layoutChoices", () => {
  it("lists the whole operation and accepted even grids of at most n shards, reductions included", () => {
    for (const op of block.operations) {
      const layouts = layoutChoices(op, 8);
      expect(layouts[0]).toEqual({ splits: [], shards: 1 });
      for (const l of layouts) {
        expect(l.shards).toBeLessThanOrEqual(8);
        expect(l.splits.length).toBeLessThanOrEqual(2);
        expect(shardCount(gridSharding(op, l.splits))).toBe(l.shards);
      }
      const keys = layouts.map((l) => JSON.stringify(l.splits));
      expect(new Set(keys).size).toBe(keys.length);
    }
    const down = block.operations.find((o) => o.id === "mlp_down")!;
    const reduction = down.signature.reductions[0]!.dim;
    expect(layoutChoices(down, 8)).toContainEqual({ splits: [{ dim: reduction, parts: 8 }], shards: 8 });
  });

  it("keeps only the asked shard count, and only single cuts with maxDims 1", () => {
    const up = block.operations.find((o) => o.id === "mlp_up")!;
    const four = layoutChoices(up, 8, { shards: 4 });
    expect(four.slice(1).every((l) => l.shards === 4)).toBe(true);
    expect(layoutChoices(up, 8, { maxDims: 1 }).every((l) => l.splits.length <= 1)).toBe(true);
  });
});

describe("hybridPlan", () => {
  it("cuts tensor-parallel operations (batch a ways, axis b ways) with shard (i, j) on device i·b + j", () => {
    const plan = hybridPlan(block, cluster, 2, 4)!;
    expect(validatePlan(planToJson(plan), builtinRegistry()).issues).toEqual([]);
    const dims = Object.assign({}, ...tensorParallelAxes(block, 4).map((a) => a.dims)) as Record<
      string,
      number
    >;
    const devices = cluster.devices.map((d) => d.id);
    let checked = 0;
    for (const [opId, dim] of Object.entries(dims)) {
      const o = plan.operations.find((p) => p.op === opId)!;
      const counts = o.sharding.boundaries.map((b) => b.length - 1);
      expect(counts[dim]).toBe(4);
      const batch = counts.findIndex((c, d) => d !== dim && c === 2);
      if (batch < 0) continue; // an operation without a batch dimension of extent ≥ a
      checked++;
      o.devices.forEach((device, s) => {
        // Row-major grid position → (batch piece i, axis piece j).
        let rest = s;
        const coord: number[] = [];
        for (let d = counts.length - 1; d >= 0; d--) {
          coord[d] = rest % counts[d]!;
          rest = Math.floor(rest / counts[d]!);
        }
        expect(device).toBe(devices[coord[batch]! * 4 + coord[dim]!]);
      });
    }
    expect(checked).toBeGreaterThan(3);
  });

  it("splits heads only on divisors: 12 heads go 4 ways, never 8 (they stay sequence-parallel)", () => {
    const gpt = buildGptStack(1, { batch: 4, seq: 16, model: 48, heads: 12 });
    const big = presetCluster("a100-8x8");
    const headCount = (plan: NonNullable<ReturnType<typeof hybridPlan>>, op: string) =>
      plan.operations.find((o) => o.op === op)!.sharding.boundaries[1]!.length - 1;
    const four = hybridPlan(gpt, big, 2, 4)!;
    expect(headCount(four, "l0_q")).toBe(4);
    const eight = hybridPlan(gpt, big, 2, 8)!;
    expect(headCount(eight, "l0_q")).toBe(1);
    // The MLP's 192 columns divide by 8: that axis is still tensor-parallel.
    const up = eight.operations.find((o) => o.op === "l0_mlp_up")!;
    expect(up.sharding.boundaries.map((b) => b.length - 1)).toContain(8);
  });

  it("is undefined when the program has no tensor-parallel axis (no weights to cut)", () => {
    const p = program("activations-only");
    p.output("y", p.relu(p.input("x", [16, 32]), { id: "act" }));
    expect(hybridPlan(p.build(), cluster, 2, 4)).toBeUndefined();
  });
});

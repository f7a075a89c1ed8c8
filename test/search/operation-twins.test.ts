import { describe, expect, it } from "vitest";
import { buildGptStack } from "../../examples/gpt-stack.js";
import { seededRng } from "../../src/base/random.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { makePlan } from "../../src/plan/index.js";
import { operationTwins } from "../../src/search/engine/operation-twins.js";
import { MUTATORS, searchSpace } from "../../src/search/index.js";

const gpt = buildGptStack(3);
const position = (id: string) => gpt.operations.findIndex((o) => o.id === id);
const ids = (positions: readonly number[]) => positions.map((i) => gpt.operations[i]!.id).sort();

describe("operationTwins", () => {
  const twins = operationTwins(gpt);

  it("pairs the same operation of every layer (and q, k, v, which are alike), never an operation with itself", () => {
    expect(ids(twins[position("l0_q")]!)).toEqual([
      "l0_k",
      "l0_v",
      "l1_k",
      "l1_q",
      "l1_v",
      "l2_k",
      "l2_q",
      "l2_v",
    ]);
    expect(ids(twins[position("l1_mlp_up")]!)).toEqual(["l0_mlp_up", "l2_mlp_up"]);
    for (const [i, t] of twins.entries()) expect(t).not.toContain(i);
  });

  it("is symmetric", () => {
    twins.forEach((t, i) => {
      for (const j of t) expect(twins[j]).toContain(i);
    });
  });

  it("keeps operations of different shapes apart", () => {
    // The MLP's up and down projections are both linears, of different shapes.
    expect(ids(twins[position("l0_mlp_up")]!)).not.toContain("l0_mlp_down");
  });
});

describe("the twin mutators", () => {
  const cluster = presetCluster("dgx-a100");
  const devices = cluster.devices.map((d) => d.id);
  const space = searchSpace(gpt, devices, [{ op: "l2_mlp_up", splits: [] }]);
  const tile = MUTATORS.find((m) => m.name === "tile-twins")!;
  const resplit = MUTATORS.find((m) => m.name === "resplit-twins")!;

  it("resplit-twins gives a layer class one layout, leaving pinned twins alone; tile-twins spreads one layout", () => {
    const rng = seededRng(3);
    let sim = createSimulator(makePlan(gpt, { devices }), cluster);
    let tiled = 0;
    for (let i = 0; i < 60; i++) {
      const child = (i % 2 === 0 ? resplit : tile).apply(sim, space, rng);
      if (child === undefined) continue;
      sim = child;
      tiled++;
    }
    expect(tiled).toBeGreaterThan(10);
    const splitsOf = (id: string) =>
      JSON.stringify(sim.plan.operations.find((o) => o.op === id)!.sharding.splits);
    expect(splitsOf("l2_mlp_up")).toBe("[]");
    // Every change moved a whole class: classes of unpinned twins stay in one layout.
    expect(splitsOf("l0_mlp_down")).toBe(splitsOf("l1_mlp_down"));
    expect(splitsOf("l1_mlp_down")).toBe(splitsOf("l2_mlp_down"));
    expect(splitsOf("l0_ln2")).toBe(splitsOf("l2_ln2"));
  });
});

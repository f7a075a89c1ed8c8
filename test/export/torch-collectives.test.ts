// Collectives in exported plans, run for real (see torch-run.test.ts): where the simulator
// recognises an all-reduce, reduce(-scatter) or all-gather, the script runs torch's collective
// instead of the transfers it replaces, and the outputs still equal the reference.
import { describe, expect, it } from "vitest";
import { presetCluster } from "../../src/cluster/load-cluster.js";
import { loadProgramFile, program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan, type Plan } from "../../src/plan/index.js";
import { megatronPlan, searchPlans } from "../../src/search/index.js";
import { expectMatches, launch, prepareCase, statsOf, type TorchCase } from "./torch-harness.js";

const registry = builtinRegistry();
const example = (name: string) => loadProgramFile(`examples/${name}.json`, registry);

/** x·w with its reduction split over two devices, then read whole on both: an all-reduce. */
function allReducePlan(): Plan {
  const p = program("all-reduce");
  const h = p.call("matmul", { a: p.input("x", [4, 8]), b: p.input("w", [8, 6]) }, {}, { id: "mm" }).out!;
  p.output("r", p.call("relu", { x: h }, {}, { id: "left" }).out!);
  p.output("n", p.call("neg", { x: h }, {}, { id: "right" }).out!);
  return makePlan(p.build(), {
    devices: ["d0", "d1"],
    splits: { mm: [{ dim: 2, parts: 2 }] },
    placement: { mm: ["d0", "d1"], left: ["d0"], right: ["d1"] },
  });
}

/** The kinds of collective the ranks of the finished cases ran. */
function kindsRun(cases: readonly TorchCase[]): Set<string> {
  return new Set(cases.flatMap((c) => statsOf(c).flatMap((s) => s.collectives.map((x) => x.kind))));
}

describe("exported plans run recognised collectives", () => {
  it("an all-reduce, and the megatron plans of the GPT stack (reduce-scatter, reduce, all-gather), on 2 ranks", {
    timeout: 300_000,
  }, async () => {
    const gpt = example("gpt-2-layers");
    const cases = [
      prepareCase("all-reduce of a split contraction", allReducePlan(), 5),
      prepareCase("gpt-2-layers, megatron on 2", megatronPlan(gpt, presetCluster("dgx-a100"), 2), 6),
      prepareCase(
        "gpt-2-layers, megatron on 2, point to point",
        megatronPlan(gpt, presetCluster("dgx-a100"), 2),
        6,
        false,
      ),
    ];
    expect(cases[0]!.exported.collectives).toBe(1);
    expect(cases[1]!.exported.collectives).toBeGreaterThan(0);
    expect(cases[2]!.exported.collectives).toBe(0);
    await launch(2, cases);
    for (const c of cases) expectMatches(c);
    expect([...kindsRun(cases)].sort()).toEqual(["all-gather", "all-reduce", "reduce"]);
  });

  it("a planned GPT block (the search's chosen plan) and the megatron GPT stack on 4 ranks", {
    timeout: 300_000,
  }, async () => {
    const block = example("transformer-block");
    const cluster = presetCluster("dgx-a100");
    const result = await searchPlans(block, cluster, { devices: 4, budget: { evaluations: 150 }, seed: 1 });
    const chosen = result.front[result.chosen]!.plan;
    const cases = [
      prepareCase("transformer-block, searched on 4", chosen, 7),
      prepareCase("gpt-2-layers, megatron on 4", megatronPlan(example("gpt-2-layers"), cluster, 4), 8),
    ];
    expect(chosen.devices).toHaveLength(4);
    expect(cases[1]!.exported.collectives).toBeGreaterThan(0);
    await launch(4, cases);
    for (const c of cases) expectMatches(c);
  });
});

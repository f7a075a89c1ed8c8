// Exported plans run for real: torch.distributed on 2–4 local processes (gloo on loopback),
// outputs compared with the reference evaluator and bytes sent per rank with the derived
// traffic. Needs Debian's python3-torch (installed by the bootstrap); without it these tests
// FAIL (docs/testing.md). Each launch starts python and torch once and runs a batch of plans.
import fc from "fast-check";
import { describe, it } from "vitest";
import { loadProgramFile } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan } from "../../src/plan/index.js";
import { randomPlan } from "../plan/random-plans.js";
import { buildRecipe, diceValues, INT_STEP_KINDS, recipe, STEP_KINDS } from "../shard/random-programs.js";
import { expectMatches, launch, prepareCase, type TorchCase } from "./torch-harness.js";

const registry = builtinRegistry();
const deep = process.env.TESSERA_DEEP !== undefined;
const example = (name: string) => loadProgramFile(`examples/${name}.json`, registry);

describe("exported plans on real torch.distributed processes equal the reference", () => {
  it("the examples, sharded by hand over 2 ranks", { timeout: 300_000 }, async () => {
    const mlp = example("mlp");
    const conv = example("conv-net");
    const block = example("transformer-block");
    const cases: TorchCase[] = [
      prepareCase(
        "mlp: fc1 by columns, fc2 by its reduction",
        makePlan(mlp, {
          devices: ["d0", "d1"],
          splits: { fc1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
          inputs: [{ tensor: "x", device: "d0" }],
        }),
        1,
      ),
      prepareCase(
        "conv-net: every operation split on its first dimension",
        makePlan(conv, {
          devices: ["d0", "d1"],
          splits: Object.fromEntries(conv.operations.map((op) => [op.id, [{ dim: 0, parts: 2 }]])),
        }),
        2,
      ),
      prepareCase(
        "transformer-block: every operation split on its first dimension, dealt round-robin",
        makePlan(block, {
          devices: ["d0", "d1"],
          splits: Object.fromEntries(block.operations.map((op) => [op.id, [{ dim: 0, parts: 2 }]])),
        }),
        3,
      ),
    ];
    await launch(2, cases);
    for (const c of cases) expectMatches(c);
  });

  for (const world of [2, 3, 4]) {
    it(`random programs × random plans on ${world} ranks`, { timeout: 300_000 }, async () => {
      const count = deep ? 24 : 6;
      const samples = fc.sample(
        fc.tuple(
          fc.oneof(recipe(4, STEP_KINDS), recipe(4, INT_STEP_KINDS, ["int32"])),
          diceValues(),
          fc.nat(1000),
        ),
        { numRuns: count, seed: 1400 + world },
      );
      const cases = samples.map(([r, dice, seed], i) =>
        prepareCase(`random #${i} on ${world}`, randomPlan(buildRecipe(r), dice, { devices: world }), seed),
      );
      await launch(world, cases);
      for (const c of cases) expectMatches(c);
    });
  }
});

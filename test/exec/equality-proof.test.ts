// The equality proof: for random programs, random shardings (uneven, reductions split) and
// random placements, the local executor computes exactly what the reference evaluator does.
//
// Exactness. Workers run the same reference kernels over sub-ranges, and a shard visits its
// points in the same order the whole operation does, so every element is computed by the same
// sequence of operations — bit for bit — unless a *sum-like* reduction is split: then partial
// sums are rounded to the dtype and folded in another grouping. max/min folds are exact in any
// grouping, and int32 sums wrap modulo 2^32, which is associative. So: int32 programs and plans
// that split no sum-like reduction must match exactly; the others within `verifyTolerance`
// (2^10·ε of the output's scale: P partials of K terms err by ≲ P·ε·Σ|terms|, so the scale is
// that of the terms — the largest magnitude the output is computed from, `termScales` — not of
// the result, which cancellation can make arbitrarily small: seed 129818906 found the mean of a
// layer-normalized row, 2e-8 from terms of magnitude 1).
//
// A failure prints fast-check's seed and path; replay it with TESSERA_PROOF_SEED=<seed> and
// TESSERA_PROOF_PATH=<path>.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Optimizer, recomputableActivations, trainStep } from "../../src/autodiff/index.js";
import { runLocal } from "../../src/exec/local/index.js";
import { randomInputs } from "../../src/exec/reference/index.js";
import { program } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { withRecompute } from "../../src/plan/index.js";
import { randomPlan } from "../plan/random-plans.js";
import { buildRecipe, diceValues, INT_STEP_KINDS, recipe, STEP_KINDS } from "../shard/random-programs.js";
import { expectAgreesWithReference } from "./reference-agreement.js";

const registry = builtinRegistry();
const deep = process.env.TESSERA_DEEP !== undefined;
const seed =
  process.env.TESSERA_PROOF_SEED === undefined ? undefined : Number(process.env.TESSERA_PROOF_SEED);
const path = process.env.TESSERA_PROOF_PATH;

/**
 * Runs a random plan of `program` on local workers and checks it against the reference. With
 * `recomputeMask`, a training step's plan recomputes the activations whose bits are set (bit `i`
 * for the `i`-th of `recomputableActivations`, wrapping).
 */
async function provesEqual(
  program: Program,
  dice: readonly number[],
  inputSeed: number,
  backend: "reference" | "onnx" = "reference",
  recomputeMask?: number,
): Promise<void> {
  const random = randomPlan(program, dice);
  const recompute =
    recomputeMask === undefined
      ? []
      : recomputableActivations(program).filter((_, i) => (recomputeMask >> (i % 30)) & 1);
  const plan = withRecompute(random, recompute);
  const inputs = randomInputs(program, inputSeed);
  // Optimizer states of a training step: Adam's second moments are never negative.
  for (const id of program.inputs.filter((i) => i.startsWith("v_"))) {
    const d = inputs[id]!.data;
    for (let i = 0; i < d.length; i++) d[i] = Math.abs(d[i]!);
  }
  const { outputs, stats } = await runLocal(plan, inputs, { registry, threads: 2, backend });
  expect(stats.bytesMoved).toBe(stats.bytesDerived);
  expectAgreesWithReference(plan, inputs, outputs, backend);
}

const OPTIMIZERS: readonly Optimizer[] = [
  { kind: "sgd", lr: 0.1 },
  { kind: "momentum", lr: 0.1 },
  { kind: "adam", lr: 0.01, step: 2 },
];

/** A training step of a random program: its first output as the loss, every float input a weight. */
function trainingStep(forward: Program, optimizer: Optimizer): Program | undefined {
  const decl = (id: string) => forward.tensors.find((t) => t.id === id)!;
  const loss = forward.outputs.find((id) => decl(id).dtype !== "int32");
  const params = forward.inputs.filter((id) => decl(id).dtype !== "int32");
  if (loss === undefined || params.length === 0) return undefined;
  return trainStep(forward, { loss, params, optimizer }, registry);
}

/** Two layers of matmul → tanh → sigmoid: both VJPs read their outputs, so the backward keeps them. */
function chainStep(): Program {
  const p = program("chain");
  let h = p.input("x", [6, 5]);
  const weights: string[] = [];
  for (let l = 0; l < 2; l++) {
    weights.push(`w${l}`);
    const w = p.input(`w${l}`, [5, 5]);
    h = p.sigmoid(p.tanh(p.matmul(h, w, { id: `mm${l}` }), { id: `t${l}` }), { id: `s${l}` });
  }
  p.output("loss", p.mean(p.mul(h, h, { id: "sq" }), {}, { id: "mean" }));
  return trainStep(
    p.build(),
    { loss: "loss", params: weights, optimizer: { kind: "adam", lr: 0.01, step: 2 } },
    registry,
  );
}

const params = (numRuns: number) => ({
  numRuns: deep ? numRuns * 10 : numRuns,
  ...(seed === undefined ? {} : { seed }),
  ...(path === undefined ? {} : { path }),
});

describe("the local executor equals the reference evaluator", () => {
  it("on random float programs under random shardings and placements", { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(recipe(5, STEP_KINDS), diceValues(), fc.nat(1000), async (r, dice, s) => {
        await provesEqual(buildRecipe(r), dice, s);
      }),
      params(250),
    );
  });

  it("on random training steps (forward, backward, update) under random shardings, placements and recompute sets", {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        recipe(4, STEP_KINDS),
        diceValues(),
        fc.nat(1000),
        fc.constantFrom(...OPTIMIZERS),
        fc.nat(),
        async (r, dice, s, optimizer, recomputeMask) => {
          const step = trainingStep(buildRecipe(r), optimizer);
          if (step !== undefined) await provesEqual(step, dice, s, "reference", recomputeMask);
        },
      ),
      params(30),
    );
  });

  // Random programs often keep no activation for the backward, so the property above may draw no
  // recompute at all; this one always recomputes a non-empty subset of a chain's activations.
  it("on a training step that keeps activations, recomputing random non-empty subsets of them", {
    timeout: 600_000,
  }, async () => {
    const step = chainStep();
    const activations = recomputableActivations(step);
    expect(activations.length).toBeGreaterThanOrEqual(4);
    await fc.assert(
      fc.asyncProperty(
        diceValues(),
        fc.nat(1000),
        fc.integer({ min: 1, max: 2 ** 30 - 1 }),
        async (dice, s, mask) => {
          await provesEqual(step, dice, s, "reference", mask);
        },
      ),
      params(15),
    );
  });

  it("on random training steps with ONNX Runtime kernels in the workers, within the tolerance", {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        recipe(3, STEP_KINDS),
        diceValues(),
        fc.nat(1000),
        fc.constantFrom(...OPTIMIZERS),
        async (r, dice, s, optimizer) => {
          const step = trainingStep(buildRecipe(r), optimizer);
          if (step !== undefined) await provesEqual(step, dice, s, "onnx");
        },
      ),
      params(15),
    );
  });

  it("on random int32 programs, exactly", { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        recipe(5, INT_STEP_KINDS, ["int32"]),
        diceValues(),
        fc.nat(1000),
        async (r, dice, s) => {
          await provesEqual(buildRecipe(r), dice, s);
        },
      ),
      params(150),
    );
  });

  it("with ONNX Runtime kernels in the workers, within the tolerance (int32 exactly)", {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(recipe(4, STEP_KINDS), recipe(4, INT_STEP_KINDS, ["int32"])),
        diceValues(),
        fc.nat(1000),
        async (r, dice, s) => {
          await provesEqual(buildRecipe(r), dice, s, "onnx");
        },
      ),
      params(60),
    );
  });
});

import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { buildMlpTrain } from "../../examples/mlp-train.js";
import { buildTransformerBlock } from "../../examples/transformer-block.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { compareOutputs } from "../../src/exec/compare-outputs.js";
import { runLocal } from "../../src/exec/local/index.js";
import { evaluateProgram, programOutputs, randomInputs, termScales } from "../../src/exec/reference/index.js";
import { withinTolerance } from "../../src/exec/verify-tolerance.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan, type Plan } from "../../src/plan/index.js";
import { baselinePlans } from "../../src/search/baselines/baseline-plans.js";
import { dataParallelPlan } from "../../src/search/baselines/data-parallel-plan.js";
import { trainingPlan, trainingShape } from "../../src/search/baselines/training-plans.js";
import { planChoices, planFromChoices, withChoices } from "../../src/search/engine/plan-choice.js";
import { searchPlans } from "../../src/search/index.js";
import { batchAxes } from "../../src/shard/index.js";
import { expectTesseraError } from "../zspace/expect-error.js";

const cluster = presetCluster("dgx-a100");
// Wide layers, a small batch: the weights and their Adam states dominate memory.
const step = buildMlpTrain(8, 256, 1024, 64);

describe("training baselines", () => {
  it("recognise a training step by its geometry, and nothing else", () => {
    const shape = trainingShape(step);
    expect(shape).toBeDefined();
    expect(shape!.updated.length).toBe(12); // four weights, each with m and v
    expect(trainingShape(buildMlp())).toBeUndefined();
    expect(trainingShape(buildTransformerBlock())).toBeUndefined();
  });

  it("read the batch from the data inputs, not from the new weights that are most of the outputs", () => {
    // The outputs' leading dimensions are weight dimensions (new_w1 [256, 1024] …): the batch is x's first.
    const axes = batchAxes(step);
    expect(axes.activations).toEqual([
      { tensor: "x", dim: 0 },
      { tensor: "target", dim: 0 },
    ]);
    expect(axes.weights).toContain("m_w1");
  });

  it("give the generic data-parallel baseline the batch: every cut is along it, 8 ways", () => {
    const shape = trainingShape(step)!;
    const plan = dataParallelPlan(step, cluster, 8);
    const cut = plan.operations.filter((o) => o.sharding.boundaries.some((b) => b.length > 2));
    expect(cut.length).toBeGreaterThan(10);
    for (const o of cut) {
      const classes = shape.dimensions.index[o.op]!;
      o.sharding.boundaries.forEach((b, d) => {
        if (b.length > 2) expect(shape.batch.has(classes[d]!), `${o.op} dimension ${d}`).toBe(true);
      });
      expect(o.devices.length).toBe(8);
    }
  });

  it("join the baselines of a training step: dp-allreduce, zero-1 and zero-2", () => {
    const names = baselinePlans(step, cluster, 8).map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(["dp-allreduce", "zero-1", "zero-2"]));
    expect(baselinePlans(buildMlp(), cluster, 8).map((b) => b.name)).not.toContain("zero-1");
  });

  it("shard the optimizer states (zero-1) and the gradients (zero-2), lowering the peak memory", () => {
    const shape = trainingShape(step)!;
    const cost = (stage: "dp" | "zero-1" | "zero-2") =>
      createSimulator(trainingPlan(step, cluster, 8, stage, shape), cluster).cost();
    const zero2 = trainingPlan(step, cluster, 8, "zero-2", shape);
    expect(zero2.operations.some((o) => o.combine === "reduce-scatter")).toBe(true);
    const [dp, z1, z2] = [cost("dp"), cost("zero-1"), cost("zero-2")];
    expect(z1.maxPeakMemory).toBeLessThan(dp.maxPeakMemory);
    expect(z2.maxPeakMemory).toBeLessThanOrEqual(z1.maxPeakMemory);
  });

  it("keep ZeRO-2's reduce-scatter through the search's plan choices", () => {
    const zero2 = trainingPlan(step, cluster, 8, "zero-2", trainingShape(step)!);
    const choices = planChoices(zero2);
    expect(choices.filter((c) => c.combine === "reduce-scatter").length).toBeGreaterThan(0);
    const modes = (plan: Plan) => plan.operations.map((o) => o.combine ?? "gather");
    const base = createSimulator(makePlan(step, { devices: zero2.devices }), cluster);
    const rebuilt = withChoices(base, choices);
    expect(modes(rebuilt.plan)).toEqual(modes(zero2));
    expect(rebuilt.cost()).toEqual(createSimulator(zero2, cluster).cost());
    expect(modes(planFromChoices(step, zero2.devices, choices))).toEqual(modes(zero2));
    // And back to gather.
    const gathered = withChoices(rebuilt, planChoices(base.plan));
    expect(new Set(modes(gathered.plan))).toEqual(new Set(["gather"]));
    // A choice for an operation the program lacks is refused.
    expectTesseraError(() => withChoices(base, [{ ...choices[0]!, op: "nope" }]), "plan_mismatch");
  });

  it("are the search's first starts on a training step, so a cut-short search still has one", async () => {
    // An already aborted search evaluates its first start only.
    const abort = new AbortController();
    abort.abort();
    const result = await searchPlans(step, cluster, { signal: abort.signal, budget: { evaluations: 50 } });
    expect(result.front).toHaveLength(1);
    // The deepest ZeRO stage is the first start.
    const zero2 = createSimulator(trainingPlan(step, cluster, 8, "zero-2", trainingShape(step)!), cluster);
    expect(result.front[0]!.cost).toEqual(zero2.cost());
  });

  it("run on local workers and equal the reference", { timeout: 120_000 }, async () => {
    const small = buildMlpTrain(4, 16, 32, 8);
    const plan = trainingPlan(small, cluster, 4, "zero-2", trainingShape(small)!);
    const registry = builtinRegistry();
    const inputs = randomInputs(small, 1);
    for (const id of small.inputs.filter((i) => /^(m|v)_/.test(i))) inputs[id]!.data.fill(0);
    const values = evaluateProgram(small, inputs, registry);
    const reference = programOutputs(small, values);
    const { outputs } = await runLocal(plan, inputs, { registry, threads: 2 });
    for (const e of compareOutputs(outputs, reference, termScales(small, values)))
      expect(withinTolerance(e, reference[e.tensor]!.dtype), e.tensor).toBe(true);
  });
});

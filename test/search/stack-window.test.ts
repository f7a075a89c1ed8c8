import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildGptStack } from "../../examples/gpt-stack.js";
import { isTesseraError } from "../../src/base/errors.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { program as newProgram } from "../../src/frontend/index.js";
import { parseProgram, programToJson } from "../../src/ir/index.js";
import type { Program } from "../../src/ir/program.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan } from "../../src/plan/index.js";
import { baselinePlans } from "../../src/search/baselines/baseline-plans.js";
import { planChoices, planFromChoices } from "../../src/search/engine/plan-choice.js";
import { MIN_STACK_REPEATS, stackWindow } from "../../src/search/engine/stack-window.js";
import { searchPlans } from "../../src/search/index.js";

/** `layers` residual layers `linear → relu → add`, with an embedding before and a head after when `ends`. */
function residualStack(layers: number, ends: boolean): Program {
  const p = newProgram(`stack-${layers}`);
  let x = p.input("x", [16, 32]);
  if (ends) x = p.linear(x, p.input("w_embed", [32, 32]), undefined, { id: "embed" });
  for (let l = 0; l < layers; l++) {
    const h = p.relu(p.linear(x, p.input(`w${l}`, [32, 32]), undefined, { id: `fc${l}` }), { id: `act${l}` });
    x = p.add(x, h, { id: `res${l}` });
  }
  p.output("y", ends ? p.linear(x, p.input("w_head", [32, 8]), undefined, { id: "head" }) : x);
  return p.build();
}

describe("stackWindow", () => {
  it("cuts the first two layers of a GPT stack out as a program of their own, valid and plannable", () => {
    const gpt = buildGptStack(6);
    const window = stackWindow(gpt)!;
    expect(window.block).toEqual({ start: 0, length: 17, repeats: 6 });
    expect(window.program.operations.map((o) => o.id)).toEqual(gpt.operations.slice(0, 34).map((o) => o.id));
    // The stream entering layer 0 and both layers' weights come in; layer 1's stream goes out.
    expect(window.program.inputs).toContain("x");
    expect(window.program.inputs).toContain("l1_wq");
    expect(window.program.inputs.some((t) => t.startsWith("l2_"))).toBe(false);
    expect(window.program.outputs).toEqual([gpt.operations[33]!.outputs[0]!.tensor]);
    // It is a program the validator accepts as it stands, and the simulator plans.
    const reparsed = parseProgram(programToJson(window.program), builtinRegistry());
    expect(reparsed.operations.length).toBe(34);
    const cluster = presetCluster("dgx-a100");
    const cost = createSimulator(makePlan(window.program, { devices: ["d0", "d1"] }), cluster).cost();
    expect(cost.makespan).toBeGreaterThan(0);
  });

  it("tiles the second layer's choices over every layer, and takes the other operations' from outside", () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_STACK_REPEATS, max: 9 }), fc.boolean(), (layers, ends) => {
        const prog = residualStack(layers, ends);
        const window = stackWindow(prog)!;
        expect(window.block.repeats).toBe(layers);
        const cluster = presetCluster("dgx-a100");
        const devices = cluster.devices.map((d) => d.id);
        // Distinct choices per window operation, so a wrong twin shows.
        const windowChoices = window.program.operations.map((op, i) => ({
          op: op.id,
          splits: [],
          devices: [devices[i % devices.length]!],
        }));
        const outside = planChoices(baselinePlans(prog, cluster, devices.length)[1]!.plan);
        const tiled = window.tile(windowChoices, outside);
        expect(tiled.map((c) => c.op)).toEqual(prog.operations.map((o) => o.id));
        for (const c of tiled) {
          const layer = /^(fc|act|res)(\d+)$/.exec(c.op);
          if (layer === null) {
            expect(c).toEqual(outside.find((o) => o.op === c.op));
          } else {
            const twin = windowChoices.find((w) => w.op === `${layer[1]}1`)!;
            expect(c).toEqual({ ...twin, op: c.op });
          }
        }
        // The tiled choices make a valid plan of the whole program.
        expect(() => planFromChoices(prog, devices, tiled)).not.toThrow();
      }),
      { numRuns: 12 },
    );
  });

  it("leaves short stacks and programs that are mostly something else alone", () => {
    expect(stackWindow(residualStack(MIN_STACK_REPEATS - 1, false))).toBeUndefined();
    // Four layers of three operations after others that do not repeat (each scales by its own factor).
    const mostlyElse = (others: number) => {
      const p = newProgram("mostly-else");
      let x = p.input("x", [8, 8]);
      for (let i = 0; i < others; i++) x = p.scale(x, { factor: i + 2 }, { id: `s${i}` });
      for (let l = 0; l < 4; l++) {
        const h = p.relu(p.linear(x, p.input(`w${l}`, [8, 8]), undefined, { id: `fc${l}` }), {
          id: `act${l}`,
        });
        x = p.add(x, h, { id: `res${l}` });
      }
      p.output("y", x);
      return p.build();
    };
    expect(stackWindow(mostlyElse(12))?.block).toEqual({ start: 12, length: 3, repeats: 4 });
    expect(stackWindow(mostlyElse(13))).toBeUndefined();
  });

  it("refuses to tile without a choice for every operation it must give, with a typed error", () => {
    const prog = residualStack(4, true);
    const window = stackWindow(prog)!;
    const windowChoices = window.program.operations.map((op) => ({ op: op.id, splits: [], devices: ["d0"] }));
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error: unknown) {
        if (isTesseraError(error)) return { code: error.code, context: error.context };
        throw error;
      }
      return undefined;
    };
    expect(codeOf(() => window.tile(windowChoices.slice(0, 3), []))).toEqual({
      code: "plan_mismatch",
      context: { op: "embed" },
    });
    const outside = ["embed", "head"].map((op) => ({ op, splits: [], devices: ["d0"] }));
    expect(codeOf(() => window.tile(windowChoices.slice(0, 3), outside))).toEqual({
      code: "plan_mismatch",
      context: { op: "fc1" },
    });
  });
});

describe("searchPlans on a stack of layers", () => {
  const cluster = presetCluster("dgx-a100");
  const gpt = buildGptStack(6, { batch: 4, seq: 64, model: 64, heads: 4 });

  it("plans two layers first, and is never slower than the tiled plan of their best", async () => {
    const options = { seed: 3, budget: { evaluations: 150 } };
    const result = await searchPlans(gpt, cluster, options);
    expect(result.stats.stack).toMatchObject({ firstOperation: "l0_ln1", length: 17, repeats: 6 });
    expect(result.stats.stack!.evaluations).toBeGreaterThanOrEqual(150);
    expect(result.stats.stack!.tiled).toBeGreaterThanOrEqual(1);
    // The same window search on its own, its fastest plan tiled by hand.
    const window = stackWindow(gpt)!;
    const alone = await searchPlans(window.program, cluster, { ...options, tileStack: false });
    const devices = cluster.devices.map((d) => d.id);
    const tiled = planFromChoices(gpt, devices, window.tile(planChoices(alone.front[0]!.plan), []));
    const tiledCost = createSimulator(tiled, cluster).cost();
    expect(result.front[0]!.cost.makespan).toBeLessThanOrEqual(tiledCost.makespan);
    // Reproducible from the seed, window included.
    const again = await searchPlans(gpt, cluster, options);
    expect(again.front.map((m) => m.cost)).toEqual(result.front.map((m) => m.cost));
    expect(again.stats.stack).toEqual({ ...result.stats.stack, seconds: again.stats.stack!.seconds });
  });

  it("reports the window's progress apart, and can be told not to plan a window", async () => {
    const seen: { fraction: number; repeats?: number }[] = [];
    await searchPlans(gpt, cluster, {
      budget: { evaluations: 60 },
      onProgress: (p) =>
        seen.push({ fraction: p.fraction, ...(p.stackWindow ? { repeats: p.stackWindow.repeats } : {}) }),
    });
    const inWindow = seen.filter((p) => p.repeats === 6);
    const after = seen.filter((p) => p.repeats === undefined);
    expect(inWindow.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    // The window is the first half of an evaluation budget, the program the second.
    for (const p of inWindow) expect(p.fraction).toBeLessThanOrEqual(0.5);
    for (const p of after) expect(p.fraction).toBeGreaterThanOrEqual(0.5);
    expect(seen.map((p) => p.fraction)).toEqual([...seen.map((p) => p.fraction)].sort((a, b) => a - b));
    const plain = await searchPlans(gpt, cluster, { budget: { evaluations: 30 }, tileStack: false });
    expect(plain.stats.stack).toBeUndefined();
  });
});

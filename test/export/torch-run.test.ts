// Exported plans run for real: torch.distributed on 2–4 local processes (gloo on loopback),
// outputs compared with the reference evaluator and bytes sent per rank with the derived
// traffic. Needs Debian's python3-torch (installed by the bootstrap); without it these tests
// FAIL (docs/testing.md). Each launch starts python and torch once and runs a batch of plans.
import fc from "fast-check";
import { describe, it } from "vitest";
import type { JsonValue } from "../../src/base/index.js";
import { seededRng } from "../../src/base/random.js";
import { loadProgramFile, program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan } from "../../src/plan/index.js";
import { KERNEL_CASES } from "../exec/backend/kernel-cases.js";
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

  it("the kernels training and ONNX import added, split over 2 ranks (pool margins at the borders, partial sums)", {
    timeout: 300_000,
  }, async () => {
    const p = program("added-kernels");
    const x = p.input("x", [2, 3, 9, 8]);
    const dy = p.input("dy", [2, 3, 9, 8]);
    const e = p.geluErf(x, { id: "gelu_erf" });
    const h = p.hardSigmoid(e, { alpha: 0.25, beta: 0.4 }, { id: "hard_sigmoid" });
    const c = p.clip(p.sign(x, { id: "sign" }), { min: -0.5, max: 0.75 }, { id: "clip" });
    const g = p.call("gelu_grad", { x, dy }, {}, { id: "gelu_grad" }).out!;
    const sc = p.call("scale", { x: g }, { factor: 1.5, shift: -0.25 }, { id: "scale" }).out!;
    const sum = p.add(p.add(h, c, { id: "hc" }), sc, { id: "all" });
    const padded = p.pad(sum, { before: [0, 0, 1, 2], after: [0, 0, 2, 0] }, { id: "pad" });
    p.output(
      "y",
      p.maxPool2d(
        padded,
        { kernel: [3, 2], stride: [2, 1], padding: [1, 1], dilation: [1, 2] },
        { id: "pool" },
      ),
    );
    const prog = p.build();
    const splits = Object.fromEntries(prog.operations.map((op) => [op.id, [{ dim: 2, parts: 2 }]]));
    const q = program("upsampling");
    const t = q.convTranspose2d(q.input("x", [1, 4, 3, 4]), q.input("w", [4, 2, 2, 2]), { id: "up_conv" });
    q.output("y", q.upsampleNearest2d(t, { scale: [2, 3] }, { id: "up_nearest" }));
    const up = q.build();
    const cases = [
      prepareCase("added kernels, split on height", makePlan(prog, { devices: ["d0", "d1"], splits }), 5),
      prepareCase(
        "conv_transpose2d split on its input channels (a partial sum), upsample on height",
        makePlan(up, {
          devices: ["d0", "d1"],
          splits: { up_conv: [{ dim: 4, parts: 2 }], up_nearest: [{ dim: 2, parts: 2 }] },
        }),
        6,
      ),
    ];
    await launch(2, cases);
    for (const c of cases) expectMatches(c);
  });

  it("the convolution and pooling gradients under random geometries (groups, strides, padding, dilations) and random plans on 2 ranks", {
    timeout: 300_000,
  }, async () => {
    const count = deep ? 36 : 12;
    const samples = fc.sample(fc.tuple(fc.integer({ min: 1, max: 2 ** 30 }), diceValues()), {
      numRuns: count,
      seed: 1313,
    });
    const cases = samples.map(([caseSeed, dice], i) => {
      const kernel = (["conv2d_input_grad", "conv2d_weight_grad", "max_pool2d_grad"] as const)[i % 3]!;
      const rng = seededRng(caseSeed);
      const c = KERNEL_CASES[kernel](() => rng.next());
      const p = program(kernel);
      const inputs = Object.fromEntries(
        Object.entries(c.inputs).map(([name, r]) => [name, p.input(name, r.range.shape.toArray(), r.dtype)]),
      );
      p.output("out", p.call(kernel, inputs, c.params as Record<string, JsonValue>, { id: "grad" }).out!);
      const plan = randomPlan(p.build(), dice, { devices: 2 });
      return prepareCase(`${kernel} ${JSON.stringify(c.params)}`, plan, i);
    });
    // Grouped: dx cut inside its reduction over several groups picks channels per group.
    const q = program("grouped-conv-grads");
    const dy = q.input("dy", [2, 4, 3, 3]);
    const grouped = { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 2 };
    q.output(
      "dx",
      q.call(
        "conv2d_input_grad",
        { dy, w: q.input("w", [4, 3, 3, 3]) },
        { ...grouped, inputSize: [6, 6] },
        { id: "dx" },
      ).out!,
    );
    q.output(
      "dw",
      q.call(
        "conv2d_weight_grad",
        { x: q.input("x", [2, 6, 6, 6]), dy },
        { ...grouped, kernelSize: [3, 3] },
        { id: "dw" },
      ).out!,
    );
    const conv = q.build();
    const cut = (dx: number, dw: number) =>
      makePlan(conv, {
        devices: ["d0", "d1"],
        splits: { dx: [{ dim: dx, parts: 2 }], dw: [{ dim: dw, parts: 2 }] },
      });
    // Pooling of all-negative values cut on rows: the zeros a halo box holds past x's edge must not win.
    const r = program("negative-pool-grad");
    const xn = r.neg(r.abs(r.input("x", [1, 2, 6, 5]), { id: "abs" }), { id: "xn" });
    const pool = { kernel: [3, 3], stride: [1, 1], padding: [1, 1] };
    r.output(
      "dx",
      r.call("max_pool2d_grad", { x: xn, dy: r.input("dy", [1, 2, 6, 5]) }, pool, { id: "dx" }).out!,
    );
    const rows = makePlan(r.build(), { devices: ["d0", "d1"], splits: { dx: [{ dim: 2, parts: 2 }] } });
    cases.push(
      prepareCase("max_pool2d_grad of negative values, cut on rows", rows, 22),
      prepareCase("grouped: dx cut on ocg (its reduction), dw on icg", cut(5, 2), 20),
      prepareCase("grouped: both cut on groups", cut(1, 0), 21),
    );
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

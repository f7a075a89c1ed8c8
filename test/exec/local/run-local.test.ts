// The local executor against the reference evaluator: the same program, split and placed over
// worker threads, must produce the reference's numbers (float32 within the folding-order
// tolerance of `expectCloseToReference`; exactly when folding order cannot matter).
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../../../src/base/random.js";
import { liveLocalWorkers, runLocal } from "../../../src/exec/local/index.js";
import { evaluateProgram, randomInputs } from "../../../src/exec/reference/index.js";
import { program } from "../../../src/frontend/index.js";
import type { Program } from "../../../src/ir/index.js";
import { loadKernelDeclarationFile } from "../../../src/kernels/declaration/index.js";
import { builtinRegistry } from "../../../src/kernels/library/index.js";
import { extendRegistry, type KernelRegistry } from "../../../src/kernels/registry.js";
import { deriveTaskGraph, makePlan, type Plan } from "../../../src/plan/index.js";
import { exampleProgram, megatronMlpPlan, withOutputs } from "./example-programs.js";
import { expectCloseToReference, expectExactlyReference } from "./expect-matches.js";

const registry = builtinRegistry();

/** Runs `plan` locally and checks every program output against the reference evaluator. */
async function expectMatchesReference(
  plan: Plan,
  opts: {
    exact?: boolean;
    /** Relative tolerance per output, where the default 1e-5 is too tight (see `expectCloseToReference`). */
    rel?: Record<string, number>;
    registry?: KernelRegistry;
    kernelFiles?: string[];
    threads?: number;
  } = {},
) {
  const prog = plan.program;
  const inputs = randomInputs(prog, 7);
  const reference = evaluateProgram(prog, inputs, opts.registry ?? registry);
  const result = await runLocal(plan, inputs, {
    ...(opts.registry === undefined ? {} : { registry: opts.registry }),
    ...(opts.kernelFiles === undefined ? {} : { kernelFiles: opts.kernelFiles }),
    ...(opts.threads === undefined ? {} : { threads: opts.threads }),
  });
  expect(Object.keys(result.outputs).sort()).toEqual([...prog.outputs].sort());
  for (const id of prog.outputs) {
    if (opts.exact) expectExactlyReference(result.outputs[id]!, reference[id]!, id);
    else expectCloseToReference(result.outputs[id]!, reference[id]!, id, opts.rel?.[id]);
  }
  expect(result.stats.bytesMoved).toBe(result.stats.bytesDerived);
  expect(liveLocalWorkers()).toBe(0);
  return result;
}

describe("runLocal computes what the reference evaluator computes", () => {
  // The MLP's logits (fc2, checked too) reach |170|: the softmax after them needs rel 1e-4.
  const mlp = withOutputs(exampleProgram("mlp"), ["fc2"]);
  const softmaxRel = { y: 1e-4 };

  it("for the Megatron MLP: column-split fc1, row-split fc2 with a partial transfer and a combine", async () => {
    const plan = megatronMlpPlan(mlp);
    const graph = deriveTaskGraph(plan);
    expect(graph.transfers.map((t) => [t.from, t.to, t.partial])).toEqual([["d1", "d0", true]]);
    const result = await expectMatchesReference(plan, { rel: softmaxRel });
    expect(result.stats.transfersMoved).toBe(1);
    expect(result.stats.tasks).toBe(graph.tasks.length);
    expect(result.stats.perThread.map((t) => t.devices)).toEqual([["d0"], ["d1"]]);
    expect(result.stats.perThread.reduce((n, t) => n + t.tasks, 0)).toBe(graph.tasks.length);
  });

  it("for the transformer block with heads over 2 devices and a split reduction in mlp_up", async () => {
    const prog = exampleProgram("transformer-block");
    const heads = [{ dim: 0, parts: 2 }];
    const plan = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: {
        q: heads,
        k: heads,
        v: heads,
        scores: heads,
        attn: heads,
        context: heads,
        out_proj: heads,
        mlp_up: [{ dim: 2, parts: 2 }],
      },
    });
    const graph = deriveTaskGraph(plan);
    expect(graph.tasks.some((t) => t.kind === "combine" && t.op === "mlp_up")).toBe(true);
    const result = await expectMatchesReference(plan);
    expect(result.stats.transfersMoved).toBe(graph.transfers.length);
  });

  it("for the conv net with spatial splits (halos) over 3 devices", async () => {
    const prog = exampleProgram("conv-net");
    const rows3 = [{ dim: 3, parts: 3 }]; // conv2d index (n, g, ocg, oh, ow, icg): output rows
    const h3 = [{ dim: 2, parts: 3 }]; // elementwise NCHW: H
    const plan = makePlan(prog, {
      devices: ["d0", "d1", "d2"],
      splits: {
        conv1: rows3,
        bias1: h3,
        relu1: h3,
        conv2: rows3,
        relu2: h3,
        conv3: rows3,
        relu3: h3,
        pool: h3,
      },
    });
    // Halos: neighbouring conv2 shards read overlapping rows of relu1, from several devices.
    const graph = deriveTaskGraph(plan);
    const read = graph.tasks
      .filter((t) => t.op === "conv2")
      .map((t) => graph.reads[t.id]!.filter((p) => p.operand === "x"));
    const boxes = read.map((pieces) => pieces.map((p) => p.region).reduce((a, b) => a.boundingUnion(b)));
    expect(boxes[0]!.intersects(boxes[1]!) && boxes[1]!.intersects(boxes[2]!)).toBe(true);
    // conv2 output rows 0..5 (stride 2, padding 1) read relu1 rows 0..11: rows 0..10 live on d0, row 11 on d1.
    expect(read[0]!.map((p) => [p.fromDevice, p.region.start.coords[2], p.region.end.coords[2]])).toEqual([
      ["d0", 0, 11],
      ["d1", 11, 12],
    ]);
    await expectMatchesReference(plan);
  });

  it("for uneven splits (10 in 3), exactly, in an int32 program with max and min reductions", async () => {
    const p = program("int-exact");
    const a = p.input("a", [10, 7], "int32");
    const b = p.input("b", [7, 10], "int32");
    const m = p.matmul(a, b, { id: "mm" });
    p.output("m", m);
    p.output("rowmax", p.max(m, { dims: [1] }, { id: "rowmax" }));
    p.output("colmin", p.min(m, { dims: [0] }, { id: "colmin" }));
    const prog = p.build();
    const plan = makePlan(prog, {
      devices: ["d0", "d1", "d2"],
      splits: {
        mm: [
          { dim: 0, parts: 3 },
          { dim: 2, parts: 3 },
        ],
        rowmax: [{ dim: 1, parts: 3 }],
        colmin: [{ dim: 0, parts: 3 }],
      },
    });
    const graph = deriveTaskGraph(plan);
    expect(
      graph.tasks.filter((t) => t.kind === "combine").map((t) => t.kind === "combine" && t.monoid),
    ).toEqual(expect.arrayContaining(["sum", "max", "min"]));
    await expectMatchesReference(plan, { exact: true });
  });

  it("exactly for a float32 max reduction split over devices (max does not depend on order)", async () => {
    const p = program("float-max");
    const x = p.input("x", [12, 10]);
    p.output("y", p.max(p.relu(x, { id: "act" }), { dims: [0] }, { id: "colmax" }));
    const plan = makePlan(p.build(), {
      devices: ["d0", "d1", "d2"],
      splits: { act: [{ dim: 0, parts: 3 }], colmax: [{ dim: 0, parts: 3 }] },
    });
    await expectMatchesReference(plan, { exact: true });
  });

  it("for a kernel declared in a file, which workers load through kernelFiles", async () => {
    const file = fileURLToPath(new URL("../../fixtures/kernels/squared-distance.yaml", import.meta.url));
    const kernel = loadKernelDeclarationFile(file);
    const p = program("distances", { kernels: [kernel] });
    const x = p.input("x", [6, 5]);
    const y = p.input("y", [4, 5]);
    p.output("d", p.call("squared_distance", { x, y }, {}, { id: "dist" }).out!);
    const plan = makePlan(p.build(), {
      devices: ["d0", "d1"],
      splits: {
        dist: [
          { dim: 0, parts: 2 },
          { dim: 2, parts: 2 },
        ],
      },
    });
    await expectMatchesReference(plan, {
      registry: extendRegistry(registry, [kernel]),
      kernelFiles: [file],
    });
  });

  it("with more devices than threads: 4 devices on a 1-thread cap", async () => {
    const plan = makePlan(mlp, {
      devices: ["d0", "d1", "d2", "d3"],
      splits: { fc1: [{ dim: 1, parts: 4 }], act1: [{ dim: 1, parts: 4 }], fc2: [{ dim: 2, parts: 4 }] },
    });
    const result = await expectMatchesReference(plan, { threads: 1, rel: softmaxRel });
    expect(result.stats.perThread.map((t) => t.devices)).toEqual([["d0", "d1", "d2", "d3"]]);
    // Devices sharing a thread still move their transfers (a copy within the thread).
    expect(result.stats.transfersMoved).toBe(3);
  });
});

describe("sharded execution equals reference execution", () => {
  // int32 sums and maxima do not depend on folding order, so any plan must agree exactly.
  const p = program("int-law");
  const s = p.add(
    p.matmul(p.input("a", [7, 5], "int32"), p.input("b", [5, 6], "int32"), { id: "mm" }),
    p.input("c", [6], "int32"),
    { id: "s" },
  );
  p.output("s", s);
  p.output("colmax", p.max(s, { dims: [0] }, { id: "colmax" }));
  p.output("rowsum", p.sum(s, { dims: [1] }, { id: "rowsum" }));
  const law = p.build();

  it("for random splits (even and uneven), placements, input homes and thread caps", async () => {
    const parts = (max: number) => fc.integer({ min: 1, max });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          mm: fc.tuple(parts(3), parts(2), parts(3)),
          s: fc.tuple(parts(3), parts(2)),
          colmax: fc.tuple(parts(3), parts(2)),
          rowsum: fc.tuple(parts(3), parts(2)),
          devices: parts(3),
          threads: parts(3),
          homes: fc.boolean(),
          seed: fc.integer(),
        }),
        async (c) => {
          const devices = Array.from({ length: c.devices }, (_, i) => `d${i}`);
          const rng = seededRng(c.seed);
          const pick = () => devices[rng.int(0, devices.length - 1)]!;
          const grid = (ps: readonly number[]) => ps.map((n, dim) => ({ dim, parts: n }));
          const splits = { mm: grid(c.mm), s: grid(c.s), colmax: grid(c.colmax), rowsum: grid(c.rowsum) };
          const dealt = makePlan(law, { devices, splits });
          const plan = makePlan(law, {
            devices,
            splits,
            placement: Object.fromEntries(dealt.operations.map((o) => [o.op, o.devices.map(pick)])),
            inputs: law.inputs.map((tensor) => (c.homes ? { tensor, device: pick() } : { tensor })),
          });
          await expectMatchesReference(plan, { exact: true, threads: c.threads });
        },
      ),
      { numRuns: 5, seed: 20261121 },
    );
  });
});

describe("a program whose output is written by several operations", () => {
  it("is assembled from every final writer", async () => {
    const p = program("concat");
    const x = p.input("x", [4, 6]);
    const y = p.input("y", [4, 6]);
    p.output("z", p.concat([p.relu(x, { id: "rx" }), p.neg(y, { id: "ny" })], 0, { id: "z" }));
    const prog: Program = p.build();
    const plan = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { rx: [{ dim: 1, parts: 2 }], ny: [{ dim: 0, parts: 2 }] },
      placement: { "z.part0": ["d1"], "z.part1": ["d0"] },
    });
    await expectMatchesReference(plan, { exact: true });
  });
});

describe("the kernel backend", () => {
  it("can be ONNX Runtime: same outputs, counted as native runs", async () => {
    const plan = megatronMlpPlan(withOutputs(exampleProgram("mlp"), ["fc2"]));
    const inputs = randomInputs(plan.program, 5);
    const reference = evaluateProgram(plan.program, inputs, registry);
    // ONNX Runtime is a required component (docs/testing.md): a machine without it fails here.
    const result = await runLocal(plan, inputs, { backend: "onnx" });
    expect(result.stats.backend).toBe("onnx");
    expectCloseToReference(result.outputs.fc2!, reference.fc2!, "fc2");
    expectCloseToReference(result.outputs.y!, reference.y!, "y", 1e-4);
    const native = result.stats.perThread.reduce(
      (n, t) => n + Object.values(t.backend.kernels).reduce((m, k) => m + k.native, 0),
      0,
    );
    expect(native).toBeGreaterThan(0);
    expect(liveLocalWorkers()).toBe(0);
  });
});

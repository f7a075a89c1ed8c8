// Derived traffic as a specification: a consumer shard needs the intersection of its input
// region with every producer shard's output region, and whatever crosses devices is a transfer.
// Broadcasts, gathers, reduce-scatters and halo exchanges are not special-cased: they are what
// the geometry yields, as these tables show.
import { describe, expect, it } from "vitest";
import { buildConvNet } from "../../examples/conv-net.js";
import { buildMlp } from "../../examples/mlp.js";
import { buildTransformerBlock } from "../../examples/transformer-block.js";
import { loadProgramFile, program, type TensorProgram } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import {
  deriveTaskGraph,
  deviceNames,
  makePlan,
  type Plan,
  type PlanRequest,
  planToJson,
  type TaskGraph,
  type Transfer,
  transferBytes,
  validatePlan,
} from "../../src/plan/index.js";
import { tiles, ZRange } from "../../src/zspace/index.js";
import { expectTesseraError } from "../zspace/expect-error.js";

function build(body: (p: TensorProgram) => void): Program {
  const p = program("traffic");
  body(p);
  return p.build();
}

/** A transfer as a line of a table: `source → from→to region bytes`, `(partial)` when it is one. */
function show(t: Transfer): string {
  const source = t.source.kind === "task" ? t.source.task : `input ${t.source.tensor}`;
  return `${source}: ${t.from}→${t.to} ${t.tensor}${t.region} ${t.bytes}B${t.partial ? " partial" : ""}`;
}

function traffic(prog: Program, request: PlanRequest): { plan: Plan; graph: TaskGraph; lines: string[] } {
  const plan = makePlan(prog, request);
  const graph = deriveTaskGraph(plan);
  return { plan, graph, lines: graph.transfers.map(show) };
}

describe("one device moves nothing", () => {
  it.each([
    ["the MLP", buildMlp(8, 16, 32, 8), { fc1: [{ dim: 1, parts: 4 }], fc2: [{ dim: 2, parts: 3 }] }],
    ["the conv net", buildConvNet(2, 8, 4), { conv1: [{ dim: 3, parts: 2 }], conv2: [{ dim: 5, parts: 2 }] }],
    [
      "the transformer block",
      buildTransformerBlock(8, 16, 2, 32),
      { q: [{ dim: 0, parts: 2 }], head_sum: [{ dim: 0, parts: 2 }], mlp_up: [{ dim: 1, cuts: [5] }] },
    ],
  ])("%s, however finely cut, with inputs at home on d0", (_, prog, splits) => {
    const { graph } = traffic(prog, {
      devices: ["d0"],
      splits,
      inputs: prog.inputs.map((tensor) => ({ tensor, device: "d0" })),
    });
    expect(graph.tasks.length).toBeGreaterThan(prog.operations.length);
    expect(graph.transfers).toEqual([]);
  });
});

describe("a reduction split over n devices", () => {
  // sum over d1 of x [8, 12]: every shard writes a partial of all of out [8].
  const sum = build((p) => p.output("y", p.sum(p.input("x", [8, 12]), { dims: [1] }, { id: "r" })));

  it.each([2, 3, 4])("n = %i: n − 1 partials travel to the combine device, and nothing else", (n) => {
    const { graph, lines } = traffic(sum, { devices: deviceNames(n), splits: { r: [{ dim: 1, parts: n }] } });
    expect(lines).toEqual(
      Array.from({ length: n - 1 }, (_, k) => `r#${k + 1}: d${k + 1}→d0 y[0:8) 32B partial`),
    );
    const combine = graph.tasks.find((t) => t.kind === "combine")!;
    expect(combine).toMatchObject({ id: "r#combine#0", device: "d0", monoid: "sum" });
    expect(graph.deps["r#combine#0"]).toEqual(Array.from({ length: n }, (_, k) => `r#${k}`));
  });

  it("a combine moved to d1 receives from every other device instead", () => {
    const plan = makePlan(sum, { devices: deviceNames(3), splits: { r: [{ dim: 1, parts: 3 }] } });
    const moved: Plan = { ...plan, operations: [{ ...plan.operations[0]!, combineDevices: ["d1"] }] };
    expect(deriveTaskGraph(moved).transfers.map(show)).toEqual([
      "r#0: d0→d1 y[0:8) 32B partial",
      "r#2: d2→d1 y[0:8) 32B partial",
    ]);
  });
});

describe("a reduction split over n devices, combined as a reduce-scatter", () => {
  // sum over d1 of x [8, 12]: block y[0:8) is cut into n chunks; chunk j folds on part j's device.
  const sum = build((p) => p.output("y", p.sum(p.input("x", [8, 12]), { dims: [1] }, { id: "r" })));

  it("n = 4: each part sends its 3 other 2-element chunks, one to each other device", () => {
    const { graph, lines } = traffic(sum, {
      devices: deviceNames(4),
      splits: { r: [{ dim: 1, parts: 4 }] },
      combine: "reduce-scatter",
    });
    const combines = graph.tasks.filter((t) => t.kind === "combine");
    expect(combines.map((t) => [t.id, t.device, t.chunk, String(t.outputs[0]!.region)])).toEqual([
      ["r#combine#0.0", "d0", 0, "[0:2)"],
      ["r#combine#0.1", "d1", 1, "[2:4)"],
      ["r#combine#0.2", "d2", 2, "[4:6)"],
      ["r#combine#0.3", "d3", 3, "[6:8)"],
    ]);
    expect(lines).toEqual([
      "r#1: d1→d0 y[0:2) 8B partial",
      "r#2: d2→d0 y[0:2) 8B partial",
      "r#3: d3→d0 y[0:2) 8B partial",
      "r#0: d0→d1 y[2:4) 8B partial",
      "r#2: d2→d1 y[2:4) 8B partial",
      "r#3: d3→d1 y[2:4) 8B partial",
      "r#0: d0→d2 y[4:6) 8B partial",
      "r#1: d1→d2 y[4:6) 8B partial",
      "r#3: d3→d2 y[4:6) 8B partial",
      "r#0: d0→d3 y[6:8) 8B partial",
      "r#1: d1→d3 y[6:8) 8B partial",
      "r#2: d2→d3 y[6:8) 8B partial",
    ]);
    // Every device sends and receives (n − 1)/n of the 32-byte block, where a gather sends 3 × 32 B into d0.
    for (const d of deviceNames(4)) {
      expect(graph.transfers.filter((t) => t.to === d).reduce((n, t) => n + t.bytes, 0)).toBe(24);
      expect(graph.transfers.filter((t) => t.from === d).reduce((n, t) => n + t.bytes, 0)).toBe(24);
    }
    expect(graph.writers.y!.map((w) => [String(w.region), w.device])).toEqual([
      ["[0:2)", "d0"],
      ["[2:4)", "d1"],
      ["[4:6)", "d2"],
      ["[6:8)", "d3"],
    ]);
  });

  it("a block shorter than n is cut into as many chunks as it has elements; a scalar stays one step", () => {
    const short = build((p) => p.output("y", p.sum(p.input("x", [2, 12]), { dims: [1] }, { id: "r" })));
    const { graph } = traffic(short, {
      devices: deviceNames(3),
      splits: { r: [{ dim: 1, parts: 3 }] },
      combine: { r: "reduce-scatter" },
    });
    expect(graph.tasks.filter((t) => t.kind === "combine").map((t) => [t.id, t.device])).toEqual([
      ["r#combine#0.0", "d0"],
      ["r#combine#0.1", "d1"],
    ]);
    const scalar = build((p) => p.output("y", p.sum(p.input("x", [12]), { dims: [0] }, { id: "r" })));
    const one = traffic(scalar, {
      devices: deviceNames(3),
      splits: { r: [{ dim: 0, parts: 3 }] },
      combine: "reduce-scatter",
    });
    expect(one.graph.tasks.filter((t) => t.kind === "combine").map((t) => t.id)).toEqual(["r#combine#0"]);
  });

  it("a consumer reading the whole block on every part device completes an all-reduce", () => {
    const prog = build((p) => {
      const y = p.sum(p.input("x", [8, 12]), { dims: [1] }, { id: "r" });
      p.output("z", p.mul(p.relu(y, { id: "a" }), p.input("w", [2, 8]), { id: "m" }));
    });
    // m is cut on its rows: each of the 2 devices needs all of y (broadcast against w's rows).
    const { graph } = traffic(prog, {
      devices: deviceNames(2),
      splits: { r: [{ dim: 1, parts: 2 }], a: [{ dim: 0, parts: 2 }], m: [{ dim: 0, parts: 2 }] },
      combine: "reduce-scatter",
    });
    const partial = graph.transfers.filter((t) => t.partial).reduce((n, t) => n + t.bytes, 0);
    const gathered = graph.transfers
      .filter((t) => !t.partial && t.tensor !== "w")
      .reduce((n, t) => n + t.bytes, 0);
    // Reduce-scatter then all-gather: each device sends half of the 32-byte block twice.
    expect([partial, gathered]).toEqual([32, 32]);
  });
});

describe("Megatron MLP: a column-parallel layer, then a row-parallel one", () => {
  // x [8, 16] · w1 [16, 32] cut on its output columns; relu cut the same way; · w2 [32, 16] cut
  // on the contraction, so each device holds the rows of w2 that match its columns of h.
  const mlp = build((p) => {
    const h = p.relu(p.matmul(p.input("x", [8, 16]), p.input("w1", [16, 32]), { id: "fc1" }), { id: "act" });
    p.output("y", p.matmul(h, p.input("w2", [32, 16]), { id: "fc2" }));
  });

  it.each([2, 4])(
    "over %i devices, each row-parallel block off the combine device sends its partial once, and nothing else moves",
    (n) => {
      const { graph, lines } = traffic(mlp, {
        devices: deviceNames(n),
        splits: { fc1: [{ dim: 1, parts: n }], act: [{ dim: 1, parts: n }], fc2: [{ dim: 2, parts: n }] },
      });
      expect(lines).toEqual(
        Array.from({ length: n - 1 }, (_, k) => `fc2#${k + 1}: d${k + 1}→d0 y[0:8, 0:16) 512B partial`),
      );
      expect(transferBytes(graph)).toBe((n - 1) * 512);
      // Column-parallel: shard k reads its own columns of w1; row-parallel: the matching rows of w2.
      const width = 32 / n;
      for (let k = 0; k < n; k++) {
        const w1 = graph.reads[`fc1#${k}`]!.find((r) => r.operand === "b")!;
        const w2 = graph.reads[`fc2#${k}`]!.find((r) => r.operand === "b")!;
        expect(String(w1.region)).toBe(`[0:16, ${k * width}:${(k + 1) * width})`);
        expect(String(w2.region)).toBe(`[${k * width}:${(k + 1) * width}, 0:16)`);
      }
    },
  );

  it("with x at home on d0 instead of pre-distributed, x is also broadcast to the other device", () => {
    const { lines } = traffic(mlp, {
      devices: deviceNames(2),
      splits: { fc1: [{ dim: 1, parts: 2 }], act: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
      inputs: [{ tensor: "x", device: "d0" }],
    });
    expect(lines).toEqual(["input x: d0→d1 x[0:8, 0:16) 512B", "fc2#1: d1→d0 y[0:8, 0:16) 512B partial"]);
  });
});

describe("data parallelism: a matmul cut on its rows over 4 devices", () => {
  const dp = build((p) => {
    const x = p.input("x", [8, 4]);
    const w = p.input("w", [4, 6]);
    p.output("y", p.matmul(x, w, { id: "mm" }));
    p.output("z", p.matmul(x, w, { id: "mm2" }));
  });
  const splits = { mm: [{ dim: 0, parts: 4 }], mm2: [{ dim: 0, parts: 4 }] };

  it("weights at home on d0 are broadcast: each other device receives all of w, once", () => {
    const { graph, lines } = traffic(dp, {
      devices: deviceNames(4),
      splits,
      inputs: [{ tensor: "w", device: "d0" }],
    });
    expect(lines).toEqual([
      "input w: d0→d1 w[0:4, 0:6) 96B",
      "input w: d0→d2 w[0:4, 0:6) 96B",
      "input w: d0→d3 w[0:4, 0:6) 96B",
    ]);
    // Both matmuls read w on d1, through the one transfer.
    const viaD1 = ["mm#1", "mm2#1"].map((id) => graph.reads[id]!.find((r) => r.operand === "b")!.transfer);
    expect(viaD1).toEqual([0, 0]);
  });

  it("inputs at home on d0 are scattered by rows (x) and broadcast (w)", () => {
    const { lines } = traffic(dp, {
      devices: deviceNames(4),
      splits,
      inputs: [
        { tensor: "x", device: "d0" },
        { tensor: "w", device: "d0" },
      ],
    });
    expect(lines).toEqual([
      "input x: d0→d1 x[2:4, 0:4) 32B",
      "input w: d0→d1 w[0:4, 0:6) 96B",
      "input x: d0→d2 x[4:6, 0:4) 32B",
      "input w: d0→d2 w[0:4, 0:6) 96B",
      "input x: d0→d3 x[6:8, 0:4) 32B",
      "input w: d0→d3 w[0:4, 0:6) 96B",
    ]);
  });
});

describe("collectives that emerge from the geometry", () => {
  it("all-gather: rows computed on 4 devices, then every device needs all rows", () => {
    const prog = build((p) => {
      const y = p.matmul(p.input("x", [8, 4]), p.input("w", [4, 6]), { id: "mm" });
      p.output("z", p.matmul(y, p.input("v", [6, 8]), { id: "next" }));
    });
    const { plan, graph } = traffic(prog, {
      devices: deviceNames(4),
      splits: { mm: [{ dim: 0, parts: 4 }], next: [{ dim: 1, parts: 4 }] },
    });
    expect(graph.transfers).toHaveLength(12);
    const y = plan.program.tensors.find((t) => t.id === "mm")!.range;
    for (let d = 0; d < 4; d++) {
      const own = ZRange.fromBounds([2 * d, 0], [2 * d + 2, 6]);
      const received = graph.transfers.filter((t) => t.to === `d${d}`);
      expect(received.map((t) => t.from).sort()).toEqual(deviceNames(4).filter((x) => x !== `d${d}`));
      expect(tiles([own, ...received.map((t) => t.region)], y)).toBe(true);
    }
  });

  it("reduce-scatter: a 2×2 grid on rows and contraction, each output half folded on its own device", () => {
    const prog = build((p) =>
      p.output("y", p.matmul(p.input("x", [8, 4]), p.input("w", [4, 6]), { id: "mm" })),
    );
    const plan = makePlan(prog, {
      devices: deviceNames(2),
      splits: {
        mm: [
          { dim: 0, parts: 2 },
          { dim: 2, parts: 2 },
        ],
      },
      placement: { mm: ["d0", "d1", "d0", "d1"] },
    });
    const scattered: Plan = {
      ...plan,
      operations: [{ ...plan.operations[0]!, combineDevices: ["d0", "d1"] }],
    };
    expect(deriveTaskGraph(scattered).transfers.map(show)).toEqual([
      "mm#1: d1→d0 y[0:4, 0:6) 96B partial",
      "mm#2: d0→d1 y[4:8, 0:6) 96B partial",
    ]);
  });

  it("halo exchange: a conv cut on rows after a row-cut relu receives only the neighbouring rows", () => {
    const prog = build((p) => {
      const x = p.relu(p.input("x", [1, 1, 12, 12]), { id: "act" });
      p.output("y", p.conv2d(x, p.input("w", [1, 1, 3, 3]), { padding: [1, 1] }, { id: "conv" }));
    });
    const { lines } = traffic(prog, {
      devices: deviceNames(2),
      splits: { act: [{ dim: 2, parts: 2 }], conv: [{ dim: 3, parts: 2 }] },
    });
    expect(lines).toEqual([
      "act#1: d1→d0 act[0:1, 0:1, 6:7, 0:12) 48B",
      "act#0: d0→d1 act[0:1, 0:1, 5:6, 0:12) 48B",
    ]);
  });

  it("a device receives a region once, however many of its shards read it", () => {
    const prog = build((p) =>
      p.output("y", p.matmul(p.input("x", [4, 4]), p.input("w", [4, 6]), { id: "mm" })),
    );
    const { graph, lines } = traffic(prog, {
      devices: deviceNames(2),
      splits: { mm: [{ dim: 1, parts: 2 }] },
      placement: { mm: ["d1", "d1"] },
      inputs: [{ tensor: "x", device: "d0" }],
    });
    expect(lines).toEqual(["input x: d0→d1 x[0:4, 0:4) 64B"]);
    expect(["mm#0", "mm#1"].map((id) => graph.reads[id]!.find((r) => r.operand === "a")!.transfer)).toEqual([
      0, 0,
    ]);
  });

  it("a contraction over nothing still writes its output, which consumers then read", () => {
    const prog = build((p) => {
      const y = p.matmul(p.input("a", [2, 0]), p.input("b", [0, 3]), { id: "mm" });
      p.output("z", p.relu(y, { id: "act" }));
    });
    const { graph, lines } = traffic(prog, {
      devices: deviceNames(2),
      splits: { mm: [{ dim: 0, parts: 2 }] },
      placement: { mm: ["d0", "d1"], act: ["d0"] },
    });
    expect(graph.writers.mm!.map((w) => String(w.region))).toEqual(["[0:1, 0:3)", "[1:2, 0:3)"]);
    expect(lines).toEqual(["mm#1: d1→d0 mm[1:2, 0:3) 12B"]);
    expect(graph.deps["act#0"]).toEqual(["mm#0", "mm#1"]);
  });
});

describe("explicit execution orders", () => {
  const prog = build((p) => {
    const h = p.relu(p.matmul(p.input("x", [4, 4]), p.input("w1", [4, 8]), { id: "fc1" }), { id: "act" });
    p.output("y", p.matmul(h, p.input("w2", [8, 4]), { id: "fc2" }));
  });
  const plan = makePlan(prog, {
    devices: deviceNames(2),
    splits: { fc1: [{ dim: 1, parts: 2 }], act: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
  });

  it("derives a dependency-respecting order when none is given", () => {
    expect(deriveTaskGraph(plan).tasks.map((t) => t.id)).toEqual([
      "fc1#0",
      "fc1#1",
      "act#0",
      "act#1",
      "fc2#0",
      "fc2#1",
      "fc2#combine#0",
    ]);
  });

  it("accepts any other order that respects the dependencies, and runs the tasks in it", () => {
    const order = ["fc1#1", "act#1", "fc2#1", "fc1#0", "act#0", "fc2#0", "fc2#combine#0"];
    expect(deriveTaskGraph({ ...plan, order }).tasks.map((t) => t.id)).toEqual(order);
    expect(validatePlan(planToJson({ ...plan, order }), builtinRegistry()).issues).toEqual([]);
  });

  it.each([
    [
      "a task before the one it reads from",
      ["act#0", "fc1#0", "fc1#1", "act#1", "fc2#0", "fc2#1", "fc2#combine#0"],
      "/order/0",
      "task 'act#0' is ordered before 'fc1#0', which it reads from",
    ],
    [
      "a task left out",
      ["fc1#0", "fc1#1", "act#0", "act#1", "fc2#0", "fc2#1"],
      "/order",
      "the order leaves out task 'fc2#combine#0'",
    ],
    [
      "a task listed twice",
      ["fc1#0", "fc1#1", "fc1#0", "act#0", "act#1", "fc2#0", "fc2#1", "fc2#combine#0"],
      "/order/2",
      "order entry 2 'fc1#0' is listed twice",
    ],
    [
      "an unknown task",
      ["fc1#0", "fc1#1", "act#0", "act#1", "fc2#0", "fc2#1", "fc2#combine#1", "fc2#combine#0"],
      "/order/6",
      "order entry 6 'fc2#combine#1' is not a task of this plan",
    ],
  ])("refuses %s: `invalid_order` at %s", (_, order, path, summary) => {
    expect(expectTesseraError(() => deriveTaskGraph({ ...plan, order }), "invalid_order").summary).toBe(
      summary,
    );
    const { plan: parsed, issues } = validatePlan(planToJson({ ...plan, order }), builtinRegistry());
    expect(parsed).toBeUndefined();
    expect(issues.map((i) => ({ code: i.code, path: i.path, summary: i.summary }))).toEqual([
      { code: "invalid_order", path, summary },
    ]);
  });
});

describe("makePlan with explicit placements", () => {
  it("refuses a placement whose length is not the shard count, or that names an unknown device", () => {
    const mlp = loadProgramFile("examples/mlp.json", builtinRegistry());
    const splits = { fc1: [{ dim: 0, parts: 2 }] };
    expect(() => makePlan(mlp, { devices: ["d0", "d1"], splits, placement: { fc1: ["d0"] } })).toThrow(
      expect.objectContaining({ code: "device_count_mismatch" }),
    );
    expect(() => makePlan(mlp, { devices: ["d0", "d1"], splits, placement: { fc1: ["d0", "d7"] } })).toThrow(
      expect.objectContaining({ code: "unknown_device" }),
    );
  });
});

import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { deriveTaskGraph, makePlan } from "../../src/plan/index.js";
import {
  deviceList,
  explainPlan,
  featuredTensor,
  formatBytes,
  inlineSvg,
  planExplainer,
} from "../../src/report/index.js";
import { dataParallelMlp, layerStack, megatronMlp, spatialConvNet, unevenRelu } from "./programs.js";
import { sampleResult } from "./sample-results.js";

const opOf = (e: ReturnType<typeof explainPlan>, id: string) => e.operations.find((o) => o.op === id)!;

describe("explainPlan", () => {
  it("explains a row-parallel split: partial sums, where they are combined, and the bytes moved", () => {
    const plan = megatronMlp();
    const graph = deriveTaskGraph(plan);
    const fc2 = opOf(explainPlan(plan, graph), "fc2");
    const partials = graph.transfers.filter((t) => t.partial && t.tensor === "fc2");
    expect(partials).toHaveLength(1);
    expect(fc2.text).toBe(
      `fc2: split 2 ways along its reduction dimension in (row-parallel) on d0, d1: each shard writes a partial sum of fc2, the 2 partials are combined on d0: 1 × ${formatBytes(partials[0]!.bytes)} moved. w2 is pre-distributed, nothing moves (each device holds just the part its shards read); b2 is pre-distributed, nothing moves (replicated: each of 2 devices holds all 512 B of it); act1 is already where the shards read it: nothing moves.`,
    );
    expect(fc2.shards).toBe(2);
    expect(fc2.bytesIn).toBe(partials[0]!.bytes);
    expect(fc2.transfers).toBe(1);
  });

  it("explains a column-parallel split and an input sent from its home to the other shards", () => {
    const fc1 = opOf(explainPlan(megatronMlp()), "fc1");
    expect(fc1.split).toBe(
      "split 2 ways along out (column-parallel: each shard holds a slice of the weights) on d0, d1",
    );
    expect(fc1.traffic[0]).toBe("x starts on d0: 1 × 32 KiB sent to d1 (every shard reads all of it)");
    expect(fc1.bytesIn).toBe(32 * 1024);
  });

  it("names a batch split data-parallel and replicated weights as such", () => {
    const e = explainPlan(dataParallelMlp());
    const fc1 = opOf(e, "fc1");
    expect(fc1.split).toBe("split 4 ways along its batch dimension batch0 (data-parallel) on d0–d3");
    expect(fc1.traffic).toContain(
      "w1 is pre-distributed, nothing moves (replicated: each of 4 devices holds all 512 KiB of it)",
    );
    // fc2 runs whole on d0 and gathers act1 from the four shards.
    const fc2 = opOf(e, "fc2");
    expect(fc2.split).toBe("runs whole on d0");
    expect(fc2.traffic[0]).toMatch(
      /^act1 comes from act1's shards on d1–d3: 3 × 16 KiB moved \(a gather: d0 reads all 64 KiB of act1\)$/,
    );
  });

  it("names spatial splits and the halos neighbouring shards exchange", () => {
    const e = explainPlan(spatialConvNet());
    const conv2 = opOf(e, "conv2");
    expect(conv2.split).toMatch(
      /^split 3 ways along oh \(spatial: neighbouring shards overlap by a halo\) \(uneven: \d+\/\d+\/\d+\) on d0–d2$/,
    );
    expect(conv2.traffic[0]).toMatch(
      /^relu1 comes from relu1's shards on .*: .* moved \(a halo: the shards on .* read past the part their device computed\)$/,
    );
  });

  it("says an operation run whole on one device with everything local moves nothing", () => {
    const plan = makePlan(buildMlp(), { devices: ["d0"] });
    const e = explainPlan(plan);
    expect(opOf(e, "fc1").text).toBe(
      "fc1: runs whole on d0. x, w1, b1 are already where the shards read them: nothing moves.",
    );
    expect(e.operations.every((o) => o.bytesIn === 0 && o.transfers === 0)).toBe(true);
    expect(e.summary).toBe(
      "4 tasks on 1 device: 0 of 4 operations split, 4 whole; 0 transfers move 0 B between devices (derived from the geometry).",
    );
  });

  it("shows uneven cuts, and accounts for every transfer of the plan exactly once", () => {
    expect(opOf(explainPlan(unevenRelu()), "r").split).toBe("split 3 ways along d1 (uneven: 4/3/3) on d0–d2");
    for (const plan of [megatronMlp(), dataParallelMlp(), spatialConvNet()]) {
      const graph = deriveTaskGraph(plan);
      const e = explainPlan(plan, graph);
      expect(e.operations.reduce((s, o) => s + o.transfers, 0)).toBe(graph.transfers.length);
      expect(e.operations.reduce((s, o) => s + o.bytesIn, 0)).toBe(
        graph.transfers.reduce((s, t) => s + t.bytes, 0),
      );
      expect(e.operations.map((o) => o.op)).toEqual(plan.program.operations.map((o) => o.id));
    }
  });
});

describe("planExplainer", () => {
  it("explains every plan of a search result exactly as explainPlan does, with its size", () => {
    // Two loads of the same example: equal programs in distinct objects share the work.
    const plans = [sampleResult("transformer-block"), sampleResult("transformer-block")].flatMap((r) =>
      [...r.front, ...r.baselines].map((s) => s.plan),
    );
    expect(plans[0]!.program).not.toBe(plans.at(-1)!.program);
    const explainer = planExplainer();
    for (const plan of plans) {
      const graph = deriveTaskGraph(plan);
      const { tasks, transfers, ...explained } = explainer.explain(plan);
      expect(explained).toEqual(explainPlan(plan, graph));
      expect([tasks, transfers]).toEqual([graph.tasks.length, graph.transfers.length]);
    }
  });

  it("stays exact when plans differ in a few operations, with or without a task graph given", () => {
    const program = layerStack(4, { ends: true });
    const devices = ["d0", "d1", "d2", "d3"];
    const variants = [
      makePlan(program, { devices }),
      makePlan(program, { devices, splits: { fc1: [{ dim: 0, parts: 4 }], act1: [{ dim: 0, parts: 4 }] } }),
      makePlan(program, { devices, splits: { fc1: [{ dim: 0, parts: 4 }], res1: [{ dim: 1, parts: 2 }] } }),
      makePlan(program, {
        devices,
        splits: { fc2: [{ dim: 1, parts: 2 }] },
        placement: { embed: ["d3"], fc2: ["d1", "d2"] },
        inputs: [{ tensor: "x", device: "d2" }],
      }),
      makePlan(program, { devices: ["d3", "d2", "d1", "d0"], splits: { fc1: [{ dim: 0, parts: 4 }] } }),
    ];
    const explainer = planExplainer();
    for (const [k, plan] of [...variants, ...variants].entries()) {
      const graph = deriveTaskGraph(plan);
      const { tasks, transfers, ...explained } = explainer.explain(plan, k % 3 === 0 ? graph : undefined);
      expect(explained, `variant ${k}`).toEqual(explainPlan(plan, graph));
      expect([tasks, transfers]).toEqual([graph.tasks.length, graph.transfers.length]);
    }
  });
});

describe("deviceList", () => {
  it("shortens a run of consecutive devices, lists others, and caps long lists", () => {
    const order = ["d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"];
    expect(deviceList(["d2", "d0", "d1"], order)).toBe("d0–d2");
    expect(deviceList(["d0", "d1"], order)).toBe("d0, d1");
    expect(deviceList(["d0", "d2", "d4"], order)).toBe("d0, d2, d4");
    expect(
      deviceList(["d0", "d2", "d4", "d5", "d7", "d1", "d6"].slice(0, 7), [
        "d0",
        "x",
        "d1",
        "d2",
        "d4",
        "d5",
        "d6",
        "d7",
      ]),
    ).toBe("d0, d1, d2, d4, d5 and 2 more");
  });
});

describe("featuredTensor", () => {
  it("picks the largest tensor whose values the plan moves", () => {
    // Megatron MLP: x (32 KiB) is sent from d0; fc2's partials move too but are partial sums.
    expect(featuredTensor(megatronMlp())).toBe("x");
    expect(featuredTensor(dataParallelMlp())).toBe("act1");
  });

  it("falls back to the largest tensor written on several devices, then to the largest", () => {
    expect(featuredTensor(unevenRelu())).toBe("y");
    expect(featuredTensor(makePlan(buildMlp(), { devices: ["d0"] }))).toBe("w1");
  });
});

describe("inlineSvg", () => {
  it("drops the prolog and scopes ids and the references to them", () => {
    const svg = `<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "x" "y">\n<!-- made -->\n<svg><defs><pattern id="h"/></defs><g id="node1"><rect fill="url(#h)"/><use href="#node1"/><a xlink:href="#h"/></g><rect fill="url(#other)"/></svg>`;
    expect(inlineSvg(svg, "p1")).toBe(
      `<svg><defs><pattern id="p1-h"/></defs><g id="p1-node1"><rect fill="url(#p1-h)"/><use href="#p1-node1"/><a xlink:href="#p1-h"/></g><rect fill="url(#other)"/></svg>`,
    );
  });
});

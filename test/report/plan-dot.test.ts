import { describe, expect, it } from "vitest";
import { program } from "../../src/frontend/index.js";
import { deriveTaskGraph, makePlan } from "../../src/plan/index.js";
import { devicePalette, planToDot, renderSvg } from "../../src/report/index.js";
import { attr, edges, nodes as nodesOf } from "./dot-text.js";
import { dataParallelMlp, megatronMlp } from "./programs.js";
import { byClass, parseXml, textOf, titleOf } from "./xml.js";

const nodes = (dot: string) => nodesOf(dot, ["task", "more", "input", "output"]);

describe("planToDot: the MLP split Megatron-style over two devices", () => {
  const plan = megatronMlp();
  const graph = deriveTaskGraph(plan);
  const dot = planToDot(plan, graph);
  const palette = devicePalette(plan.devices);

  it("draws one cluster per operation holding its shard and combine tasks", () => {
    expect(dot.match(/subgraph "cluster_op_\d+"/g)).toHaveLength(plan.program.operations.length);
    const tasks = [...nodes(dot).keys()].filter((id) => id.startsWith("task:"));
    expect(tasks.sort()).toEqual(graph.tasks.map((t) => `task:${t.id}`).sort());
    expect(nodes(dot).get("task:fc2#combine#0")).toContain("sum of 2 partials");
    expect(nodes(dot).get("task:fc2#1")).toContain("partial");
    expect(nodes(dot).get("task:fc1#1")).toContain("out ∈ [256, 512)");
  });

  it("fills every task with its device's colour, the same colour for the same device", () => {
    for (const t of graph.tasks) {
      const line = nodes(dot).get(`task:${t.id}`)!;
      expect(attr(line, "fillcolor")).toBe(palette.get(t.device)!.fill);
      expect(attr(line, "color")).toBe(palette.get(t.device)!.stroke);
    }
    expect(palette.get("d0")!.fill).not.toBe(palette.get("d1")!.fill);
    // The legend names every device next to its swatch.
    for (const d of plan.devices) expect(dot).toContain(`<td bgcolor="${palette.get(d)!.fill}"`);
  });

  it("shows where inputs start: x at home on d0, weights pre-distributed", () => {
    expect(nodes(dot).get("input:x")).toContain("home d0");
    expect(attr(nodes(dot).get("input:x")!, "fillcolor")).toBe(palette.get("d0")!.fill);
    expect(nodes(dot).get("input:w1")).toContain("pre-distributed");
    expect(nodes(dot).get("output:y")).toContain("on d0");
  });

  it("labels edges that cross devices with the bytes moved, in the sender's colour", () => {
    const cross = edges(dot).filter((e) => attr(e.attrs, "label") !== undefined);
    expect(cross.map((e) => [e.tail, e.head, attr(e.attrs, "label"), attr(e.attrs, "color")])).toEqual([
      ["input:x", "task:fc1#1", "32 KiB", palette.get("d0")!.stroke], // x [32, 256] f32 to d1
      ["task:fc2#1", "task:fc2#combine#0", "16 KiB", palette.get("d1")!.stroke], // a partial [32, 128]
    ]);
    for (const e of cross) expect(e.attrs).not.toContain("dashed");
    expect(graph.transfers.map((t) => t.bytes)).toEqual([32768, 16384]);
  });

  it("draws local reads dashed and unlabelled, one edge per pre-distributed input and operation", () => {
    const local = edges(dot).filter((e) => attr(e.attrs, "label") === undefined);
    for (const e of local) expect(attr(e.attrs, "style")).toBe("dashed");
    expect(local.filter((e) => e.tail === "input:w1")).toHaveLength(1);
    expect(attr(local.find((e) => e.tail === "input:w1")!.attrs, "lhead")).toBe("cluster_op_0");
    expect(local.some((e) => e.tail === "task:fc1#0" && e.head === "task:act1#0")).toBe(true);
  });

  it("renders: a node per task, input and output, plus the legend; a cluster per operation", async () => {
    const svg = parseXml(await renderSvg(dot));
    const prog = plan.program;
    expect(byClass(svg, "node")).toHaveLength(
      graph.tasks.length + prog.inputs.length + prog.outputs.length + 1,
    );
    expect(byClass(svg, "cluster")).toHaveLength(prog.operations.length);
    expect(byClass(svg, "edge")).toHaveLength(edges(dot).length); // the invisible ordering edges are not drawn
    const legend = byClass(svg, "node").find((n) => titleOf(n) === "legend")!;
    expect(textOf(legend)).toContain("d0");
    expect(textOf(legend)).toContain("d1");
    const title = svg.children.find((c) => c.attrs.class === "graph")!;
    expect(textOf(title)).toContain("8 tasks on 2 devices, 48 KiB moved in 2 transfers");
  });
});

describe("planToDot: caps and shared transfers", () => {
  it("folds the shards of an operation past maxShards into one '+k more' node with aggregated edges", () => {
    const plan = dataParallelMlp(16);
    const dot = planToDot(plan, deriveTaskGraph(plan), { maxShards: 8 });
    const fc1 = [...nodes(dot).keys()].filter((id) => id.startsWith("task:fc1#"));
    expect(fc1).toEqual(Array.from({ length: 7 }, (_, k) => `task:fc1#${k}`));
    expect(nodes(dot).get("more:fc1:shard")).toContain("+9 more shards");
    // The 9 hidden act1 shards send to fc2#0 on d0 as one edge carrying their bytes.
    const fromMore = edges(dot).filter((e) => e.tail === "more:act1:shard");
    expect(fromMore).toHaveLength(2); // bytes from other devices, and local reads on d0
    const sent = fromMore.find((e) => attr(e.attrs, "label") !== undefined)!;
    expect(attr(sent.attrs, "label")).toBe("28 KiB"); // 7 of 9 hidden shards are off d0: 7 × 2×512×4 B
    expect(
      edges(dot).filter((e) => e.tail === "more:fc1:shard" && e.head === "more:act1:shard"),
    ).toHaveLength(1);
  });

  it("counts a region a device already received once, marking later reads of it 'shared'", () => {
    const p = program("shared");
    const h = p.relu(p.input("x", [4, 8]), { id: "a" });
    p.output("y", p.linear(h, p.input("w", [8, 6]), undefined, { id: "b" }));
    const plan = makePlan(p.build(), {
      devices: ["d0", "d1"],
      splits: { b: [{ dim: 1, parts: 2 }] },
      placement: { a: ["d0"], b: ["d1", "d1"] },
    });
    const graph = deriveTaskGraph(plan);
    expect(graph.transfers).toHaveLength(1);
    const fromA = edges(planToDot(plan, graph)).filter((e) => e.tail === "task:a#0");
    expect(fromA.map((e) => [e.head, attr(e.attrs, "label")])).toEqual([
      ["task:b#0", "128 B"],
      ["task:b#1", "shared"],
    ]);
  });

  it("keeps device colours stable: the k-th device of the plan always gets the k-th colour", () => {
    const a = devicePalette(["d0", "d1", "d2"]);
    const b = devicePalette(["gpu-a", "gpu-b", "gpu-c"]);
    expect([...a.values()]).toEqual([...b.values()]);
    const many = devicePalette(Array.from({ length: 24 }, (_, k) => `d${k}`));
    expect(new Set([...many.values()].map((c) => c.stroke)).size).toBe(24);
    for (const c of many.values()) expect(c.fill).toMatch(/^#[0-9a-f]{6}$/);
  });
});

import { describe, expect, it } from "vitest";
import { deriveTaskGraph, makePlan, type Plan } from "../../src/plan/index.js";
import { formatBytes, planOperationsToDot, planToDot, renderSvg } from "../../src/report/index.js";
import { attr, edges, nodes as nodesOf } from "./dot-text.js";
import { layerStack, megatronMlp } from "./programs.js";
import { byClass, parseXml, titleOf } from "./xml.js";

const nodes = (dot: string) => nodesOf(dot, ["op", "task", "more", "input", "output"]);
const clusterLabels = (dot: string) =>
  [...dot.matchAll(/subgraph "cluster_layer_\d+" \{\n {4}graph \[label="([^"]*)"/g)].map((m) => m[1]!);

const DEVICES = ["d0", "d1", "d2", "d3"];

/**
 * Six residual layers between an embedding and a head, each layer's operations cut 8 ways along
 * the batch over four devices, the embedding on d0 (so it sends to the first layer); `odd`
 * layers (0-based) are placed the other way round.
 */
function stackPlan(odd: readonly number[] = []): Plan {
  const program = layerStack(6, { ends: true });
  const rows = [{ dim: 0, parts: 8 }];
  const splits: Record<string, { dim: number; parts: number }[]> = {};
  const placement: Record<string, string[]> = { embed: ["d0"] };
  for (let l = 0; l < 6; l++) {
    const order = odd.includes(l) ? [...DEVICES].reverse() : DEVICES;
    for (const op of [`fc${l}`, `act${l}`, `res${l}`]) {
      splits[op] = rows;
      placement[op] = Array.from({ length: 8 }, (_, k) => order[k % 4]!);
    }
  }
  return makePlan(program, { devices: DEVICES, splits, placement });
}

describe("planOperationsToDot", () => {
  it("draws a run of layers planned alike once, saying how many more it stands for", () => {
    const plan = stackPlan();
    const graph = deriveTaskGraph(plan);
    const dot = planOperationsToDot(plan, graph);
    const ops = [...nodes(dot).keys()].filter((id) => id.startsWith("op:"));
    expect(ops.sort()).toEqual(["op:act0", "op:embed", "op:fc0", "op:head", "op:res0"]);
    expect(clusterLabels(dot)).toEqual([
      "layers 1–6 of 6, planned alike:\\ndrawn once (× 5 more identical layers)",
    ]);
    expect(nodes(dot).get("op:fc0")).toContain("8 shards (batch0÷8)");
    expect(nodes(dot).get("op:fc0")).toContain("on d0–d3");
    expect(nodes(dot).get("op:fc0")).toContain("in place: w0, b0");
    // The step from one layer into the next is drawn back onto the drawn layer.
    const loops = edges(dot).filter((e) => attr(e.attrs, "constraint") === "false");
    expect(loops.length).toBeGreaterThan(0);
    for (const e of loops) {
      expect(e.tail).toBe("op:res0");
      expect(attr(e.attrs, "label")).toMatch(/^next layer/);
    }
    // The head reads the last layer, drawn as the drawn one.
    expect(edges(dot).some((e) => e.tail === "op:res0" && e.head === "op:head")).toBe(true);
    expect(dot).toContain("5 repeated layers not drawn again");
  });

  it("labels an edge with the bytes its transfers move, each transfer once", () => {
    const plan = stackPlan();
    const graph = deriveTaskGraph(plan);
    const fromEmbed = graph.transfers.filter(
      (t) => t.source.kind === "task" && t.source.task.startsWith("embed#") && t.to !== "d0",
    );
    const intoFc0 = new Set(
      graph.tasks
        .filter((t) => t.op === "fc0")
        .flatMap((t) => graph.reads[t.id]!.flatMap((p) => (p.transfer === null ? [] : [p.transfer]))),
    );
    const moved = fromEmbed.filter((t) => intoFc0.has(t.id));
    expect(moved.length).toBeGreaterThan(0);
    const edge = edges(planOperationsToDot(plan, graph)).find(
      (e) => e.tail === "op:embed" && e.head === "op:fc0",
    )!;
    const bytes = moved.reduce((s, t) => s + t.bytes, 0);
    expect(attr(edge.attrs, "label")).toBe(`${formatBytes(bytes)} in ${moved.length} transfers`);
  });

  it("draws each run of layers planned alike once, and every layer without collapsing", () => {
    // Layer 3 (0-based 2) is placed differently: layers 1–2, 3 and 4–6.
    const plan = stackPlan([2]);
    const dot = planOperationsToDot(plan);
    expect(clusterLabels(dot)).toEqual([
      "layers 1–2 of 6, planned alike:\\ndrawn once (× 1 more identical layer)",
      "layer 3 of 6",
      "layers 4–6 of 6, planned alike:\\ndrawn once (× 2 more identical layers)",
    ]);
    expect([...nodes(dot).keys()].filter((id) => id.startsWith("op:"))).toHaveLength(2 + 3 * 3);
    const all = planOperationsToDot(plan, deriveTaskGraph(plan), { collapse: false });
    expect(clusterLabels(all)).toEqual([1, 2, 3, 4, 5, 6].map((l) => `layer ${l} of 6`));
    expect([...nodes(all).keys()].filter((id) => id.startsWith("op:"))).toHaveLength(
      plan.program.operations.length,
    );
    expect(edges(all).some((e) => attr(e.attrs, "constraint") === "false")).toBe(false);
  });

  it("renders: a node per drawn operation, input with a home and output, plus the legend", async () => {
    const plan = makePlan(stackPlan().program, {
      devices: DEVICES,
      splits: { fc0: [{ dim: 0, parts: 4 }] },
      inputs: [{ tensor: "x", device: "d1" }],
    });
    const dot = planOperationsToDot(plan);
    const svg = parseXml(await renderSvg(dot));
    const drawn = [...nodes(dot).keys()];
    expect(drawn).toContain("input:x");
    expect(drawn.filter((id) => id.startsWith("input:"))).toEqual(["input:x"]);
    expect(byClass(svg, "node")).toHaveLength(drawn.length + 1);
    expect(byClass(svg, "node").some((n) => titleOf(n) === "legend")).toBe(true);
    // Operations on one device are filled in its colour; the legend names those devices.
    expect(nodes(dot).get("op:embed")).toContain("on d0");
  });
});

describe("planToDot chooses its view", () => {
  it("draws task by task while few task nodes are needed, else operation by operation", () => {
    const small = megatronMlp();
    expect([...nodes(planToDot(small)).keys()].some((id) => id.startsWith("task:"))).toBe(true);
    const large = stackPlan();
    const graph = deriveTaskGraph(large);
    // 18 operations of 8 shards: 144 task nodes, then 2 whole ones.
    const auto = planToDot(large, graph, { maxTaskNodes: 100 });
    expect([...nodes(auto).keys()].some((id) => id.startsWith("task:"))).toBe(false);
    expect(nodes(auto).has("op:fc0")).toBe(true);
    expect(planToDot(large, graph, { maxTaskNodes: 200 })).toContain('"task:fc5#7"');
    expect(planToDot(large, graph, { view: "tasks", maxTaskNodes: 1 })).toContain('"task:fc5#7"');
    expect(nodes(planToDot(small, undefined, { view: "operations" })).has("op:fc2")).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { buildTransformerBlock } from "../../examples/transformer-block.js";
import { loadProgramFile, program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { findRepeatedBlocks, programToDot, renderSvg } from "../../src/report/index.js";
import { layerStack } from "./programs.js";
import { byClass, parseXml, textOf, titleOf } from "./xml.js";

/** Node declaration lines of a DOT text, keyed by node id (`tensor:x`, `op:fc1`). */
function nodeLines(dot: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of dot.matchAll(/^\s*"((?:tensor|op):(?:[^"\\]|\\.)*)" \[(.*)\];$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

function edgeLines(dot: string): string[] {
  return dot.split("\n").filter((l) => l.includes(" -> "));
}

describe("programToDot: the MLP", () => {
  const prog = buildMlp();
  const dot = programToDot(prog);
  const nodes = nodeLines(dot);

  it("has one ellipse per tensor and one box per operation", () => {
    const tensors = [...nodes].filter(([id]) => id.startsWith("tensor:"));
    const ops = [...nodes].filter(([id]) => id.startsWith("op:"));
    expect(tensors.map(([id]) => id.slice(7)).sort()).toEqual(prog.tensors.map((t) => t.id).sort());
    expect(ops.map(([id]) => id.slice(3))).toEqual(["fc1", "act1", "fc2", "probs"]);
    for (const [, attrs] of tensors) expect(attrs).toContain('shape="ellipse"');
    for (const [, attrs] of ops) expect(attrs).toContain('shape="box"');
  });

  it("labels tensors with dtype and shape, operations with kernel, index space and reductions", () => {
    expect(nodes.get("tensor:w1")).toContain("float32 [256, 512]");
    const fc1 = nodes.get("op:fc1")!;
    expect(fc1).toContain("<b>fc1</b>");
    expect(fc1).toContain("linear");
    expect(fc1).toContain("index batch0=32 out=512 in=256");
    expect(fc1).toContain("reduce in:sum");
    expect(nodes.get("op:probs")).toContain("dim=-1");
  });

  it("tells program inputs and outputs apart from intermediate tensors", () => {
    for (const id of prog.inputs) expect(nodes.get(`tensor:${id}`)).toContain('fillcolor="#dbe9f6"');
    expect(nodes.get("tensor:y")).toContain("peripheries=2");
    expect(nodes.get("tensor:fc1")).toContain('fillcolor="#ffffff"');
    expect(nodes.get("tensor:fc1")).not.toContain("peripheries");
  });

  it("has an edge per operand, named when an operation has several", () => {
    const edges = edgeLines(dot);
    const operands = prog.operations.reduce((n, op) => n + op.inputs.length + op.outputs.length, 0);
    expect(edges).toHaveLength(operands);
    expect(edges).toContain('  "tensor:w1" -> "op:fc1" [label="w", color="#555555", fontcolor="#555555"];');
    expect(edges.find((e) => e.startsWith('  "tensor:fc1" -> "op:act1"'))).not.toContain("label");
  });

  it("renders to SVG with exactly those nodes and edges", async () => {
    const svg = parseXml(await renderSvg(dot));
    expect(svg.name).toBe("svg");
    expect(byClass(svg, "node")).toHaveLength(prog.tensors.length + prog.operations.length);
    expect(byClass(svg, "edge")).toHaveLength(edgeLines(dot).length);
    expect(byClass(svg, "cluster")).toHaveLength(0);
    const fc1 = byClass(svg, "node").find((n) => titleOf(n) === "op:fc1")!;
    expect(textOf(fc1)).toContain("index batch0=32 out=512 in=256");
  });

  it("labels a selection of part of a tensor with its range, and shows ranges off the origin", () => {
    const sliced = loadProgramFile("test/fixtures/ir/valid/sliced-operand.json", builtinRegistry());
    const text = programToDot(sliced);
    expect(text).toContain('"tensor:x" -> "op:fc" [label="a [6:10, 0:4)"');
    expect(nodeLines(text).get("tensor:x")).toContain("float32 [4:12, -2:6)");
    const p = program("parts");
    p.output("y", p.concat([p.input("a", [2, 3]), p.input("b", [4, 3])], 0, { id: "cat" }));
    const cat = programToDot(p.build());
    expect(cat).toContain('"op:cat.part1" -> "tensor:y" [label="[2:6, 0:3)"');
  });
});

describe("programToDot: escaping and caps", () => {
  const weird = 'say "hi" \\ back\nslash';
  const long = `attention_output_projection_${"x".repeat(40)}`;
  const p = program('quote"d');
  const x = p.input(weird, [2, 3]);
  p.output("y", p.relu(x, { id: long }));
  const prog = p.build();
  const dot = programToDot(prog);

  it("quotes ids with quotes, backslashes and line breaks so the DOT parses", async () => {
    expect(dot).toContain('"tensor:say \\"hi\\" \\\\ back\\nslash"');
    expect(dot).toContain("say &quot;hi&quot; \\ back slash");
    const svg = parseXml(await renderSvg(dot));
    expect(byClass(svg, "node")).toHaveLength(3);
    expect(byClass(svg, "edge")).toHaveLength(2);
    const texts = byClass(svg, "node").map(textOf);
    expect(texts.some((t) => t.includes('say "hi" \\ back slash'))).toBe(true);
  });

  it("caps long ids with an ellipsis and keeps the whole id in the tooltip", () => {
    const line = nodeLines(dot).get(`op:${long}`)!;
    expect(line).toContain(`<b>${long.slice(0, 35)}…</b>`);
    expect(line).toContain(`tooltip="${long} (relu)"`);
    expect(programToDot(prog, { maxLabel: 10 })).toContain("<b>attention…</b>");
  });
});

describe("programToDot: repeated layers", () => {
  it("finds a 12-layer stack as one block of 3 operations", () => {
    const prog = layerStack(12);
    expect(findRepeatedBlocks(prog, prog.operations)).toEqual([{ start: 0, length: 3, repeats: 12 }]);
  });

  it("draws a 12-layer stack as one cluster '× 12' holding the first layer", async () => {
    const prog = layerStack(12);
    const dot = programToDot(prog);
    expect(dot.match(/subgraph "cluster_/g)).toHaveLength(1);
    expect(dot).toContain("<b>× 12</b>");
    const ops = [...nodeLines(dot).keys()].filter((id) => id.startsWith("op:"));
    expect(ops).toEqual(["op:fc0", "op:act0", "op:res0"]);
    // One copy feeds the next (into fc and into the residual add): dashed loop edges.
    const loops = edgeLines(dot).filter((e) => e.includes('label="next"'));
    expect(loops.map((e) => e.split(" [")[0]!.trim())).toEqual([
      '"tensor:res0" -> "op:fc0"',
      '"tensor:res0" -> "op:res0"',
    ]);
    const svg = parseXml(await renderSvg(dot));
    const clusters = byClass(svg, "cluster");
    expect(clusters).toHaveLength(1);
    expect(textOf(clusters[0]!)).toContain("× 12");
    expect(textOf(clusters[0]!)).toContain("fc0 … res11");
    // x, the first layer's w0, b0 (standing for all 12) and its three operations and tensors.
    expect(byClass(svg, "node")).toHaveLength(1 + 2 + 3 + 3);
    const w0 = byClass(svg, "node").find((n) => titleOf(n) === "tensor:w0")!;
    expect(textOf(w0)).toContain("… w11 (12 copies)");
  });

  it("keeps the output's name on the collapsed layer's last tensor", () => {
    const dot = programToDot(layerStack(12));
    const res0 = nodeLines(dot).get("tensor:res0")!;
    expect(res0).toContain("… y (12 copies)");
    expect(res0).toContain("peripheries=2");
  });

  it("connects what comes before and after the stack to the drawn layer", () => {
    const prog = layerStack(12, { ends: true });
    expect(findRepeatedBlocks(prog, prog.operations)).toEqual([{ start: 1, length: 3, repeats: 12 }]);
    const edges = edgeLines(programToDot(prog));
    expect(edges.some((e) => e.startsWith('  "tensor:embed" -> "op:fc0"'))).toBe(true);
    expect(edges.some((e) => e.startsWith('  "tensor:res0" -> "op:head"'))).toBe(true);
  });

  it("stops a stack at a layer that differs", () => {
    const prog = layerStack(12, { oddLayer: 8 });
    expect(findRepeatedBlocks(prog, prog.operations)).toEqual([
      { start: 0, length: 3, repeats: 8 },
      { start: 27, length: 3, repeats: 3 },
    ]);
    const dot = programToDot(prog);
    expect(dot).toContain("<b>× 8</b>");
    expect(dot).toContain("<b>× 3</b>");
    expect(nodeLines(dot).has("op:act8")).toBe(true);
  });

  it("draws every operation with collapse 'never', and small programs whole", () => {
    const dot = programToDot(layerStack(12), { collapse: "never" });
    expect(dot).not.toContain("cluster_");
    expect([...nodeLines(dot).keys()].filter((id) => id.startsWith("op:"))).toHaveLength(36);
    expect(programToDot(layerStack(4))).not.toContain("cluster_");
    expect(programToDot(layerStack(4), { collapseAbove: 0 })).toContain("<b>× 4</b>");
  });

  it("does not fold parallel branches (q, k, v read the same tensor; each is read later)", () => {
    const prog = buildTransformerBlock();
    const dot = programToDot(prog, { collapseAbove: 0 });
    expect(dot).not.toContain("cluster_");
    expect(findRepeatedBlocks(prog, prog.operations)).toEqual([]);
  });
});

describe("programToDot: parallel copies", () => {
  it("does not fold hundreds of identical parallel operations (a wide concat), and stays fast", () => {
    const p = program("wide");
    const parts = Array.from({ length: 300 }, (_, k) => p.relu(p.input(`x${k}`, [2, 2]), { id: `r${k}` }));
    p.output("y", p.concat(parts, 0, { id: "cat" }));
    const prog = p.build();
    const started = performance.now();
    expect(findRepeatedBlocks(prog, prog.operations)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

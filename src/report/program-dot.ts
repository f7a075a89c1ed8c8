import { tensorWriters, topologicalOrder } from "../ir/dependencies.js";
import type { Operation, Program, TensorDecl } from "../ir/program.js";
import { findRepeatedBlocks, type RepeatedBlock } from "../ir/repeated-blocks.js";
import { dotAttrs, dotPreamble, dotString, htmlText, nodeLabel } from "./dot-syntax.js";
import { capText, formatBox, formatParams, wrapText } from "./label-text.js";

/** How `programToDot` draws a program. */
export interface ProgramDotOptions {
  /** `auto` (default) draws each stack of repeated layers once, as a cluster `× N`; `never` draws every operation. */
  readonly collapse?: "auto" | "never";
  /** With `auto`, collapse only programs with more operations than this (default 30). */
  readonly collapseAbove?: number;
  /** The longest label line, in characters; longer ids and params end in `…` (default 36). */
  readonly maxLabel?: number;
  /** The picture's title (default the program's name). */
  readonly title?: string;
}

const STYLE = {
  input: { fillcolor: "#dbe9f6", color: "#4e79a7" },
  output: { fillcolor: "#fde2c4", color: "#c0661a", peripheries: 2 },
  tensor: { fillcolor: "#ffffff", color: "#8a8a8a" },
  op: { fillcolor: "#f3f3f3", color: "#555555" },
} as const;

/** The DOT id of a tensor node and of an operation node (tensors and operations may share ids). */
export function tensorNodeId(id: string): string {
  return dotString(`tensor:${id}`);
}

/** The DOT id of an operation node. */
export function opNodeId(id: string): string {
  return dotString(`op:${id}`);
}

interface Collapse {
  /** Hidden operation id → the operation of the first copy it stands for. */
  readonly opRep: Map<string, string>;
  /** Hidden tensor id → the tensor of the first copy it stands for. */
  readonly tensorRep: Map<string, string>;
  /** Operation id → the copy it belongs to (for the loop edges between copies). */
  readonly copyOf: Map<string, { block: number; copy: number }>;
}

function planCollapse(
  program: Program,
  order: readonly Operation[],
  blocks: readonly RepeatedBlock[],
): Collapse {
  const opRep = new Map<string, string>();
  const tensorRep = new Map<string, string>();
  const copyOf = new Map<string, { block: number; copy: number }>();
  const inputs = new Set(program.inputs);
  const readers = new Map<string, string[]>();
  for (const op of order)
    for (const s of op.inputs) readers.set(s.tensor, [...(readers.get(s.tensor) ?? []), op.id]);
  blocks.forEach((b, block) => {
    for (let t = 0; t < b.repeats; t++) {
      for (let j = 0; j < b.length; j++) {
        const op = order[b.start + t * b.length + j]!;
        const rep = order[b.start + j]!;
        copyOf.set(op.id, { block, copy: t });
        if (t === 0) continue;
        opRep.set(op.id, rep.id);
        op.outputs.forEach((s, i) => {
          const target = rep.outputs[i];
          if (target !== undefined && target.tensor !== s.tensor) tensorRep.set(s.tensor, target.tensor);
        });
        op.inputs.forEach((s, i) => {
          const target = rep.inputs[i];
          // A per-layer weight: a program input read only by this operation of this copy.
          const own = (readers.get(s.tensor) ?? []).every((r) => r === op.id);
          if (
            target !== undefined &&
            inputs.has(s.tensor) &&
            inputs.has(target.tensor) &&
            own &&
            target.tensor !== s.tensor
          )
            tensorRep.set(s.tensor, target.tensor);
        });
      }
    }
  });
  return { opRep, tensorRep, copyOf };
}

function tensorLabel(t: TensorDecl, stands: readonly string[], max: number) {
  const lines = [capText(t.id, max), capText(`${t.dtype} ${formatBox(t.range)}`, max)];
  if (t.label !== undefined) lines.push(capText(t.label, max));
  const last = stands.at(-1);
  if (last !== undefined) lines.push(capText(`… ${last} (${stands.length + 1} copies)`, max));
  return nodeLabel(lines, "ellipse");
}

function opLabel(op: Operation, max: number) {
  const sig = op.signature;
  const lines = [capText(op.id, max), capText(op.kernel, max)];
  const params = formatParams(op.params);
  if (params !== "") lines.push(...wrapText(params, max));
  const extents = op.index.shape.coords;
  const index = sig.indexNames.map((name, i) => `${name}=${extents[i]}`).join(" ");
  lines.push(...wrapText(`index ${index === "" ? "(scalar)" : index}`, max));
  if (sig.reductions.length > 0) {
    const red = sig.reductions.map((r) => `${sig.indexNames[r.dim] ?? r.dim}:${r.monoid}`).join(" ");
    lines.push(capText(`reduce ${red}`, max));
  }
  return nodeLabel(lines, "box");
}

/**
 * The operation graph of `program` as Graphviz DOT: tensors as ellipses (id, dtype, shape or
 * range; program inputs blue, outputs orange with a double border), operations as rounded
 * boxes (id, kernel, params, index space with names and extents, reductions), an edge per
 * operand labelled with its name (and the selected box when only part of a tensor is read).
 * Labels are capped (`…`). A large program draws each stack of repeated layers once, inside a
 * cluster labelled `× N`, with a dashed `next` edge where one copy feeds the next.
 *
 * Example: `renderSvg(programToDot(loadProgramFile("examples/mlp.json", builtinRegistry())))`.
 */
export function programToDot(program: Program, opts: ProgramDotOptions = {}): string {
  const max = opts.maxLabel ?? 36;
  const { order: positions } = topologicalOrder(program.operations);
  const placed = new Set(positions);
  const order = [...positions, ...program.operations.map((_, k) => k).filter((k) => !placed.has(k))].map(
    (k) => program.operations[k]!,
  );
  const large = order.length > (opts.collapseAbove ?? 30);
  const blocks = (opts.collapse ?? "auto") === "auto" && large ? findRepeatedBlocks(program, order) : [];
  const { opRep, tensorRep, copyOf } = planCollapse(program, order, blocks);
  const stands = new Map<string, string[]>();
  for (const [hidden, rep] of tensorRep) stands.set(rep, [...(stands.get(rep) ?? []), hidden]);
  const inputs = new Set(program.inputs);
  const outputs = new Set(program.outputs);
  const isOutput = (id: string) => outputs.has(id) || (stands.get(id) ?? []).some((h) => outputs.has(h));

  const tensorNode = (t: TensorDecl) => {
    const style = isOutput(t.id) ? STYLE.output : inputs.has(t.id) ? STYLE.input : STYLE.tensor;
    return `${tensorNodeId(t.id)}${dotAttrs({ shape: "ellipse", style: "filled", ...style, ...tensorLabel(t, stands.get(t.id) ?? [], max), tooltip: t.id })};`;
  };
  const opNode = (op: Operation) =>
    `${opNodeId(op.id)}${dotAttrs({ shape: "box", style: "rounded,filled", ...STYLE.op, ...opLabel(op, max), tooltip: `${op.id} (${op.kernel})` })};`;

  // Which cluster each visible node sits in: the first copy's operations and their tensors.
  const clusterOf = new Map<string, number>();
  for (const op of order) {
    const c = copyOf.get(op.id);
    if (c === undefined || c.copy !== 0) continue;
    clusterOf.set(`op:${op.id}`, c.block);
    for (const s of op.outputs) clusterOf.set(`tensor:${s.tensor}`, c.block);
  }
  for (const [hidden, rep] of tensorRep) {
    if (inputs.has(hidden)) {
      const reader = order.find((op) => op.inputs.some((s) => s.tensor === rep));
      const c = reader === undefined ? undefined : copyOf.get(reader.id);
      if (c !== undefined) clusterOf.set(`tensor:${rep}`, c.block);
    }
  }

  const lines = [
    `digraph ${dotString(program.name ?? "program")} {`,
    ...dotPreamble(opts.title ?? program.name ?? "program"),
  ];
  const clustered: string[][] = blocks.map(() => []);
  const put = (key: string, line: string) => {
    const c = clusterOf.get(key);
    (c === undefined ? lines : clustered[c]!).push(`  ${c === undefined ? "" : "  "}${line}`);
  };
  for (const t of program.tensors) if (!tensorRep.has(t.id)) put(`tensor:${t.id}`, tensorNode(t));
  for (const op of order) if (!opRep.has(op.id)) put(`op:${op.id}`, opNode(op));
  blocks.forEach((b, k) => {
    const first = order[b.start]!.id;
    const last = order[b.start + b.length * b.repeats - 1]!.id;
    const label = {
      html: `<b>× ${b.repeats}</b><br/><font point-size="10">${htmlText(capText(`${first} … ${last}`, max * 2))}</font>`,
    };
    lines.push(`  subgraph ${dotString(`cluster_repeat_${k}`)} {`);
    lines.push(
      `    graph${dotAttrs({ label, style: "rounded,dashed", color: "#7a7a7a", bgcolor: "#fafafa", fontsize: 14 })};`,
    );
    lines.push(...clustered[k]!, "  }");
  });

  const edges = new Map<string, string>();
  const tensorIds = new Map(program.tensors.map((t) => [t.id, t]));
  const writers = tensorWriters(order);
  for (const op of order) {
    const to = opNodeId(opRep.get(op.id) ?? op.id);
    for (const s of op.inputs) {
      const from = tensorNodeId(tensorRep.get(s.tensor) ?? s.tensor);
      const whole = tensorIds.get(s.tensor)?.range.equals(s.range) ?? true;
      const name = op.inputs.length > 1 ? s.name : "";
      const label = capText(whole ? name : `${name} ${s.range}`.trim(), max);
      const last = writers.get(s.tensor)?.at(-1);
      const producer = last === undefined ? undefined : order[last]!.id;
      const [pc, cc] = [producer === undefined ? undefined : copyOf.get(producer), copyOf.get(op.id)];
      const loop = pc !== undefined && cc !== undefined && pc.block === cc.block && pc.copy < cc.copy;
      const attrs = loop
        ? dotAttrs({
            label: "next",
            style: "dashed",
            color: "#7a7a7a",
            fontcolor: "#7a7a7a",
            constraint: "false",
          })
        : dotAttrs({ label: label === "" ? undefined : label, color: "#555555", fontcolor: "#555555" });
      edges.set(`${from}->${to}|${label}|${loop}`, `  ${from} -> ${to}${attrs};`);
    }
    const from = opNodeId(opRep.get(op.id) ?? op.id);
    for (const s of op.outputs) {
      const t = tensorNodeId(tensorRep.get(s.tensor) ?? s.tensor);
      const whole = tensorIds.get(s.tensor)?.range.equals(s.range) ?? true;
      const label = whole ? undefined : capText(s.range.toString(), max);
      edges.set(
        `${from}->${t}|${label}`,
        `  ${from} -> ${t}${dotAttrs({ label, color: "#555555", fontcolor: "#555555" })};`,
      );
    }
  }
  lines.push(...edges.values(), "}");
  return `${lines.join("\n")}\n`;
}

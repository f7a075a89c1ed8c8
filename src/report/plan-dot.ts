import type { Operation } from "../ir/program.js";
import type { Plan } from "../plan/plan.js";
import { deriveTaskGraph, type Source, type Task, type TaskGraph } from "../plan/task-graph.js";
import { deviceLegend } from "./device-legend.js";
import { devicePalette, NEUTRAL } from "./device-palette.js";
import { dotAttrs, dotPreamble, dotString, htmlLines, nodeLabel } from "./dot-syntax.js";
import { capText } from "./label-text.js";
import { planOperationsToDot } from "./plan-operations-dot.js";
import { inputNode, inputNodeDot, outputEdgeDot, outputNodeDot } from "./program-io-nodes.js";
import { formatBytes } from "./units.js";

/** How `planToDot` draws a plan. */
export interface PlanDotOptions {
  /** The most task nodes drawn per operation and kind (shards, combines); the rest fold into one `+k more` node (default 8). */
  readonly maxShards?: number;
  /** The longest label line, in characters (default 36). */
  readonly maxLabel?: number;
  /** The picture's title (default the program's name and "sharded"). */
  readonly title?: string;
  /**
   * Task by task (`tasks`), operation by operation (`operations`: `planOperationsToDot`, with
   * repeated layers drawn once), or `auto` (default): operations when drawing task by task
   * would take more than `maxTaskNodes` task nodes.
   */
  readonly view?: "tasks" | "operations" | "auto";
  /** The most task nodes `auto` draws task by task (default 150). */
  readonly maxTaskNodes?: number;
}

/** The DOT id of a task node (`op#k` or `op#combine#b`). */
export function taskNodeId(task: string): string {
  return dotString(`task:${task}`);
}

interface EdgeAgg {
  readonly tail: string;
  readonly head: string;
  readonly cross: boolean;
  readonly lhead: string | undefined;
  bytes: number;
  shared: number;
  readonly from: Set<string>;
  readonly what: string[];
}

function cutLabel(op: Operation, boundaries: readonly (readonly number[])[], task: Task): string {
  if (task.kind === "combine") return "";
  const cuts = boundaries.flatMap((b, d) =>
    b.length > 2
      ? [`${op.signature.indexNames[d] ?? `#${d}`} ∈ [${task.range.start.at(d)}, ${task.range.end.at(d)})`]
      : [],
  );
  return cuts.length === 0 ? "whole" : cuts.join(" ");
}

const LEGEND_NOTES = [
  "solid: bytes sent between",
  "devices, sender's colour",
  "dashed: already in place",
  "shared: sent there already",
];

/**
 * A sharded plan as Graphviz DOT: one cluster per operation holding its shard tasks (and
 * combine tasks when a reduction is split), each filled with its device's colour (a stable
 * palette in the order of `plan.devices`, shown in a legend); program inputs with their home
 * device (or as pre-distributed) and program outputs; an edge wherever one task reads from
 * another. An edge that crosses devices is solid, in the sender's colour, labelled with the
 * bytes it moves (each transfer counted once; a region a device already received is `shared`);
 * a local edge is dashed and unlabelled. An operation with more than `maxShards` shards shows
 * the first ones and one `+k more` node that carries their edges, aggregated. A plan that would
 * take more than `maxTaskNodes` task nodes is drawn operation by operation instead
 * (`planOperationsToDot`: one node per operation, repeated layers planned alike drawn once).
 *
 * Example: `planToDot(makePlan(program, { devices: ["d0", "d1"], splits: { fc1: [{ dim: 0, parts: 2 }] } }))`.
 */
export function planToDot(
  plan: Plan,
  graph: TaskGraph = deriveTaskGraph(plan),
  opts: PlanDotOptions = {},
): string {
  const max = opts.maxLabel ?? 36;
  const cap = Math.max(1, opts.maxShards ?? 8);
  const program = plan.program;
  const byOp = new Map<string, Task[]>();
  for (const t of graph.tasks) {
    const list = byOp.get(t.op);
    if (list === undefined) byOp.set(t.op, [t]);
    else list.push(t);
  }
  const view = opts.view ?? "auto";
  if (view === "operations" || (view === "auto" && taskNodes(byOp, cap) > (opts.maxTaskNodes ?? 150))) {
    return planOperationsToDot(plan, graph, {
      maxLabel: max,
      ...(opts.title === undefined ? {} : { title: opts.title }),
    });
  }
  const palette = devicePalette(plan.devices);
  const colour = (d: string | null) => (d === null ? NEUTRAL : (palette.get(d) ?? NEUTRAL));
  const tensors = new Map(program.tensors.map((t) => [t.id, t]));
  const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device ?? null]));

  // Each task's node: itself, or the `+k more` node of its operation and kind.
  const nodeOf = new Map<string, string>();
  const clusterEntry = new Map<string, { node: string; cluster: string }>();
  const clusters: string[] = [];
  program.operations.forEach((op, k) => {
    const opPlan = plan.operations.find((o) => o.op === op.id);
    const tasks = byOp.get(op.id) ?? [];
    const boundaries = opPlan?.sharding.boundaries ?? [];
    const body: string[] = [];
    for (const kind of ["shard", "combine"] as const) {
      const list = tasks.filter((t) => t.kind === kind).sort((a, b) => taskIndex(a) - taskIndex(b));
      const shown = list.length > cap ? list.slice(0, cap - 1) : list;
      for (const t of shown) {
        nodeOf.set(t.id, taskNodeId(t.id));
        const c = colour(t.device);
        const partial = t.kind === "shard" && t.outputs.some((o) => o.partial);
        const lines =
          t.kind === "shard"
            ? [`#${t.shard} · ${t.device}`, cutLabel(op, boundaries, t), ...(partial ? ["partial"] : [])]
            : [`combine #${t.block} · ${t.device}`, `${t.monoid} of ${t.parts.length} partials`];
        const attrs = {
          shape: t.kind === "shard" ? "box" : "invhouse",
          style: t.kind === "shard" ? "rounded,filled" : "filled",
          fillcolor: c.fill,
          color: c.stroke,
          ...nodeLabel(
            lines.map((l) => capText(l, max)),
            "box",
          ),
          tooltip: `${t.id} on ${t.device}${t.kind === "shard" ? ` index ${t.range}` : ""}`,
        };
        body.push(`    ${taskNodeId(t.id)}${dotAttrs(attrs)};`);
      }
      const rest = list.slice(shown.length);
      if (rest.length > 0) {
        const id = dotString(`more:${op.id}:${kind}`);
        for (const t of rest) nodeOf.set(t.id, id);
        const devices = [...new Set(rest.map((t) => t.device))];
        const c = devices.length === 1 ? colour(devices[0]!) : NEUTRAL;
        const label = nodeLabel(
          [
            `+${rest.length} more ${kind === "shard" ? "shards" : "combines"}`,
            capText(`on ${devices.join(", ")}`, max),
          ],
          "box",
        );
        body.push(
          `    ${id}${dotAttrs({ shape: "box", style: "rounded,filled,dashed", fillcolor: c.fill, color: c.stroke, ...label, tooltip: capText(rest.map((t) => t.id).join(" "), 400) })};`,
        );
      }
    }
    // Keep shards in order, left to right: #0, #1, ..., then `+k more`.
    const row = [...new Set(tasks.filter((t) => t.kind === "shard").map((t) => nodeOf.get(t.id)!))];
    if (row.length > 1) {
      body.push(`    { rank=same; ${row.join("; ")}; }`);
      body.push(`    ${row.join(" -> ")}${dotAttrs({ style: "invis" })};`);
    }
    const first = nodeOf.get(tasks[0]?.id ?? "");
    if (first !== undefined) clusterEntry.set(op.id, { node: first, cluster: `cluster_op_${k}` });
    const shards = tasks.filter((t) => t.kind === "shard").length;
    const cuts = boundaries.flatMap((b, d) =>
      b.length > 2 ? [`${op.signature.indexNames[d] ?? `d${d}`}÷${b.length - 1}`] : [],
    );
    const sub = `${shards} shard${shards === 1 ? "" : "s"}${cuts.length > 0 ? ` (${cuts.join(", ")})` : ""}`;
    const label = htmlLines([capText(op.id, max), capText(`${op.kernel} · ${sub}`, max)], "left");
    clusters.push(`  subgraph ${dotString(`cluster_op_${k}`)} {`);
    clusters.push(
      `    graph${dotAttrs({ label, style: "rounded,filled", color: "#b0b0b0", fillcolor: "#f7f7f7", fontsize: 12, labeljust: "l" })};`,
    );
    clusters.push(...body, "  }");
  });

  const inputs = program.inputs.map((id) => {
    const home = homes.get(id) ?? null;
    return inputNodeDot(id, tensors.get(id), home, colour(home), max);
  });
  const outputs = program.outputs.map((id) => {
    const held = [...new Set((graph.writers[id] ?? []).map((w) => w.device ?? "pre-distributed"))];
    return outputNodeDot(id, tensors.get(id), held.join(", "), max);
  });

  const sourceNode = (s: Source) => (s.kind === "input" ? inputNode(s.tensor) : nodeOf.get(s.task));
  const edges = new Map<string, EdgeAgg>();
  const counted = new Set<number>();
  for (const task of graph.tasks) {
    const head = nodeOf.get(task.id);
    if (head === undefined) continue;
    for (const piece of graph.reads[task.id] ?? []) {
      const tail = sourceNode(piece.source);
      if (tail === undefined || tail === head) continue;
      const cross = piece.transfer !== null;
      // A pre-distributed input is read in place: one edge into the operation's cluster says so.
      const entry = piece.fromDevice === null ? clusterEntry.get(task.op) : undefined;
      const to = entry?.node ?? head;
      const key = `${tail}->${entry === undefined ? head : entry.cluster}|${cross}`;
      const agg = edges.get(key) ?? {
        tail,
        head: to,
        cross,
        lhead: entry?.cluster,
        bytes: 0,
        shared: 0,
        from: new Set<string>(),
        what: [],
      };
      edges.set(key, agg);
      if (piece.fromDevice !== null) agg.from.add(piece.fromDevice);
      if (piece.transfer !== null) {
        const tr = graph.transfers[piece.transfer]!;
        if (counted.has(tr.id)) agg.shared++;
        else {
          counted.add(tr.id);
          agg.bytes += tr.bytes;
        }
        agg.what.push(
          `${tr.tensor}${tr.region} ${tr.from}→${tr.to} ${formatBytes(tr.bytes)}${tr.partial ? " partial" : ""}`,
        );
      } else agg.what.push(`${piece.tensor}${piece.region} local`);
    }
  }
  const edgeLines = [...edges.values()].map((e) => {
    const tooltip = capText(
      e.what.slice(0, 6).join("; ") + (e.what.length > 6 ? `; +${e.what.length - 6} more` : ""),
      400,
    );
    if (!e.cross)
      return `  ${e.tail} -> ${e.head}${dotAttrs({ style: "dashed", color: "#9a9a9a", arrowsize: 0.5, lhead: e.lhead, tooltip })};`;
    const c = e.from.size === 1 ? colour([...e.from][0]!) : NEUTRAL;
    const label = e.bytes > 0 ? formatBytes(e.bytes) : "shared";
    const penwidth = Math.min(4, 1.2 + Math.log2(1 + e.bytes / 1024) / 3).toFixed(2);
    return `  ${e.tail} -> ${e.head}${dotAttrs({ label, color: c.stroke, fontcolor: c.stroke, penwidth, tooltip })};`;
  });
  const outputEdges = program.outputs.flatMap((id) => {
    const tails = new Set(
      (graph.writers[id] ?? []).flatMap((w) =>
        w.source.kind === "task" ? [nodeOf.get(w.source.task) ?? ""] : [inputNode(id)],
      ),
    );
    return [...tails].filter((t) => t !== "").map((t) => outputEdgeDot(t, id));
  });

  const moved = graph.transfers.reduce((sum, t) => sum + t.bytes, 0);
  const title = opts.title ?? `${program.name ?? "program"} — sharded`;
  const summary = `${graph.tasks.length} tasks on ${plan.devices.length} device${plan.devices.length === 1 ? "" : "s"}, ${formatBytes(moved)} moved in ${graph.transfers.length} transfer${graph.transfers.length === 1 ? "" : "s"}`;
  return `${[
    `digraph ${dotString(program.name ?? "plan")} {`,
    ...dotPreamble(`${title}\n${summary}`),
    // A second crossing-minimisation pass over clusters would undo the shards' left-to-right order.
    `  graph${dotAttrs({ remincross: "false" })};`,
    `  "legend"${dotAttrs({ shape: "plain", label: deviceLegend("devices", plan.devices, palette, max, LEGEND_NOTES) })};`,
    ...inputs,
    ...clusters,
    ...outputs,
    ...edgeLines,
    ...outputEdges,
    "}",
  ].join("\n")}\n`;
}

/** How many task nodes the task view draws: per operation and kind, at most `cap` (the last one `+k more`). */
function taskNodes(byOp: ReadonlyMap<string, readonly Task[]>, cap: number): number {
  let n = 0;
  for (const tasks of byOp.values()) {
    const shards = tasks.filter((t) => t.kind === "shard").length;
    n += Math.min(shards, cap) + Math.min(tasks.length - shards, cap);
  }
  return n;
}

function taskIndex(t: Task): number {
  return t.kind === "shard" ? t.shard : t.block;
}

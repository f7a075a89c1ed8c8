import type { Operation } from "../ir/program.js";
import { findRepeatedBlocks } from "../ir/repeated-blocks.js";
import type { OperationPlan, Plan } from "../plan/plan.js";
import { deriveTaskGraph, type TaskGraph } from "../plan/task-graph.js";
import { deviceLegend } from "./device-legend.js";
import { type DeviceColour, devicePalette, NEUTRAL } from "./device-palette.js";
import { dotAttrs, dotPreamble, dotString, type HtmlLabel, nodeLabel } from "./dot-syntax.js";
import { capText } from "./label-text.js";
import { deviceList } from "./plan-explanation.js";
import { inputNode, inputNodeDot, outputEdgeDot, outputNodeDot } from "./program-io-nodes.js";
import { formatBytes, plural } from "./units.js";

/** How `planOperationsToDot` draws a plan. */
export interface PlanOperationsDotOptions {
  /** The longest label line, in characters (default 36). */
  readonly maxLabel?: number;
  /** The picture's title (default the program's name and "sharded"). */
  readonly title?: string;
  /** Draw a run of identical layers (same operations, planned alike) once (default true). */
  readonly collapse?: boolean;
}

/** The DOT id of an operation's node in the operation view. */
export function operationNodeId(op: string): string {
  return dotString(`op:${op}`);
}

/** A stack's layers as drawn: which copies stand for a run of identical ones. */
interface LayerRun {
  readonly block: number;
  /** First and last copy of the run (0-based), and how many copies the stack has. */
  readonly first: number;
  readonly last: number;
  readonly repeats: number;
  /** Positions (in program order) of the drawn copy's operations. */
  readonly ops: readonly number[];
}

interface EdgeAgg {
  readonly tail: string;
  readonly head: string;
  /** An edge into the next copy of a collapsed run, drawn back onto the drawn copy. */
  readonly loop: boolean;
  readonly transfers: Set<number>;
  readonly senders: Set<string>;
  bytes: number;
  local: number;
}

const LOOP = "#1f6feb";

/** `n` things, singular or plural. */

/**
 * The layers of the program's repeated stacks (`findRepeatedBlocks`), each stack's copies
 * grouped into runs of consecutive copies planned alike: the same sharding, devices and
 * combine devices at every position, and the program inputs they read starting on the same
 * device. Without `collapse` every copy is a run of its own.
 */
function layerRuns(plan: Plan, collapse: boolean): LayerRun[] {
  const program = plan.program;
  const opPlans = new Map(plan.operations.map((o) => [o.op, o]));
  const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device ?? null]));
  const inputs = new Set(program.inputs);
  const planOf = (op: Operation) => {
    const o: OperationPlan | undefined = opPlans.get(op.id);
    return JSON.stringify([o?.sharding.boundaries, o?.devices, o?.combineDevices ?? null]);
  };
  /** True when operations `a` and `b` are planned alike; where both read program inputs, these start alike. */
  const alike = (a: Operation, b: Operation) =>
    planOf(a) === planOf(b) &&
    a.inputs.every((s, i) => {
      const t = b.inputs[i]?.tensor ?? "";
      // The first copy reads from before the stack where the others read their predecessor.
      return !inputs.has(s.tensor) || !inputs.has(t) || homes.get(s.tensor) === homes.get(t);
    });
  const runs: LayerRun[] = [];
  findRepeatedBlocks(program, program.operations).forEach((b, block) => {
    const copy = (c: number) => Array.from({ length: b.length }, (_, j) => b.start + c * b.length + j);
    const same = (c: number, first: number) =>
      copy(c).every((k, j) => alike(program.operations[k]!, program.operations[copy(first)[j]!]!));
    let first = 0;
    for (let c = 1; c <= b.repeats; c++) {
      if (c < b.repeats && collapse && same(c, first)) continue;
      runs.push({ block, first, last: c - 1, repeats: b.repeats, ops: copy(first) });
      first = c;
    }
  });
  return runs;
}

function legend(
  shown: readonly string[],
  palette: Map<string, DeviceColour>,
  max: number,
  loops: boolean,
): HtmlLabel {
  const notes = [
    "one node per operation: its cut,",
    "shards and devices (filled in a",
    "device's colour when it runs on one)",
    "solid: bytes sent between devices,",
    "sender's colour (grey: several)",
    "dashed: read where it already is",
    ...(loops ? ["blue: into the next identical layer"] : []),
  ];
  return deviceLegend(shown.length === 0 ? "legend" : "devices", shown, palette, max, notes);
}

/**
 * A sharded plan as Graphviz DOT at the level of operations, for plans too large to draw task
 * by task: one node per operation labelled with its cut (`b÷8, h÷8`), its shard count, the
 * devices its shards run on, its combines and the program inputs it reads in place; an edge
 * wherever one operation reads another's output, labelled with the bytes that cross devices
 * and the number of transfers (dashed when everything is read where it lies); program inputs
 * that start on a device and program outputs as ellipses. Repeated layers
 * (`findRepeatedBlocks`) are drawn as clusters, and a run of consecutive layers planned alike
 * is drawn once, its cluster saying how many more identical layers it stands for, with the
 * bytes one layer sends the next as a blue edge back onto the drawn layer.
 *
 * Example: `planOperationsToDot(plan)` for a 12-layer GPT stack on 64 devices draws one layer
 * with "× 11 more identical layers".
 */
export function planOperationsToDot(
  plan: Plan,
  graph: TaskGraph = deriveTaskGraph(plan),
  opts: PlanOperationsDotOptions = {},
): string {
  const max = opts.maxLabel ?? 36;
  const program = plan.program;
  const palette = devicePalette(plan.devices);
  const colour = (d: string | null) => (d === null ? NEUTRAL : (palette.get(d) ?? NEUTRAL));
  const tensors = new Map(program.tensors.map((t) => [t.id, t]));
  const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device ?? null]));
  const opPlans = new Map(plan.operations.map((o) => [o.op, o]));
  const position = new Map(program.operations.map((op, k) => [op.id, k]));

  // Which operations are drawn, and which drawn one stands for each hidden one.
  const runs = layerRuns(plan, opts.collapse ?? true);
  const rep = new Map<number, number>();
  /** For a hidden operation of a run's second copy: it reads the drawn copy (a "next layer" edge). */
  const secondCopy = new Set<number>();
  const drawnCopy = new Set<number>();
  const runOf = new Map<number, LayerRun>();
  for (const r of runs) {
    const length = r.ops.length;
    for (const k of r.ops) {
      drawnCopy.add(k);
      runOf.set(k, r);
    }
    for (let c = r.first + 1; c <= r.last; c++) {
      for (const k of r.ops) {
        const hidden = k + (c - r.first) * length;
        rep.set(hidden, k);
        runOf.set(hidden, r);
        if (c === r.first + 1) secondCopy.add(hidden);
      }
    }
  }
  const shownOf = (k: number) => rep.get(k) ?? k;
  const visible = (k: number) => !rep.has(k);

  const taskOp = new Map(graph.tasks.map((t) => [t.id, position.get(t.op)!]));
  const byOp = new Map<number, (typeof graph.tasks)[number][]>();
  for (const t of graph.tasks) {
    const k = position.get(t.op)!;
    const list = byOp.get(k);
    if (list === undefined) byOp.set(k, [t]);
    else list.push(t);
  }

  // Edges, aggregated per pair of drawn nodes; partial sums into an operation's own combines
  // are told in its label.
  const edges = new Map<string, EdgeAgg>();
  const partialBytes = new Map<number, number>();
  const opNode = (k: number) => operationNodeId(program.operations[k]!.id);
  const drawnInputs = new Set<string>();
  const inPlace = new Map<number, Set<string>>();
  for (const t of graph.tasks) {
    const k = position.get(t.op)!;
    for (const p of graph.reads[t.id] ?? []) {
      let tail: string;
      let loop = false;
      if (p.source.kind === "input") {
        if (!visible(k)) continue;
        if (homes.get(p.source.tensor) == null) {
          const set = inPlace.get(k) ?? new Set<string>();
          set.add(p.source.tensor);
          inPlace.set(k, set);
          continue;
        }
        drawnInputs.add(p.source.tensor);
        tail = inputNode(p.source.tensor);
      } else {
        const from = taskOp.get(p.source.task)!;
        if (from === k) {
          if (p.transfer !== null)
            partialBytes.set(k, (partialBytes.get(k) ?? 0) + graph.transfers[p.transfer]!.bytes);
          continue;
        }
        if (!visible(k)) {
          // Only the step from the drawn copy into the next one is drawn, as a loop.
          if (!secondCopy.has(k) || !drawnCopy.has(from) || runOf.get(from) !== runOf.get(k)) continue;
          loop = true;
        }
        tail = opNode(shownOf(from));
      }
      const head = opNode(shownOf(k));
      if (tail === head && !loop) continue;
      const key = `${tail}->${head}|${loop}`;
      let agg = edges.get(key);
      if (agg === undefined) {
        agg = { tail, head, loop, transfers: new Set(), senders: new Set(), bytes: 0, local: 0 };
        edges.set(key, agg);
      }
      if (p.transfer === null) agg.local++;
      else if (!agg.transfers.has(p.transfer)) {
        const tr = graph.transfers[p.transfer]!;
        agg.transfers.add(p.transfer);
        agg.senders.add(tr.from);
        agg.bytes += tr.bytes;
      }
    }
  }

  // Nodes: one per drawn operation.
  const single = new Set<string>();
  const nodeLines = new Map<number, string>();
  program.operations.forEach((op, k) => {
    if (!visible(k)) return;
    const opPlan = opPlans.get(op.id);
    const tasks = byOp.get(k) ?? [];
    const shards = tasks.filter((t) => t.kind === "shard");
    const combines = tasks.filter((t) => t.kind === "combine");
    const devicesOf = (list: typeof tasks) => plan.devices.filter((d) => list.some((t) => t.device === d));
    const devices = devicesOf(shards);
    const boundaries = opPlan?.sharding.boundaries ?? [];
    const cuts = boundaries.flatMap((b, d) =>
      b.length > 2 ? [`${op.signature.indexNames[d] ?? `d${d}`}÷${b.length - 1}`] : [],
    );
    const lines = [
      capText(op.id, max),
      capText(
        `${op.kernel} · ${plural(shards.length, "shard")}${cuts.length > 0 ? ` (${cuts.join(", ")})` : ""}`,
        max,
      ),
      capText(`on ${deviceList(devices, plan.devices)}`, max),
    ];
    if (combines.length > 0) {
      const moved = partialBytes.get(k) ?? 0;
      lines.push(
        capText(
          `${plural(combines.length, "combine")} on ${deviceList(devicesOf(combines), plan.devices)}`,
          max,
        ),
        capText(moved > 0 ? `partial sums: ${formatBytes(moved)} moved` : "partial sums: all local", max),
      );
    }
    const read = [...(inPlace.get(k) ?? [])];
    if (read.length > 0) lines.push(capText(`in place: ${read.join(", ")}`, max));
    const c = devices.length === 1 ? colour(devices[0]!) : { fill: "#f7f7f7", stroke: "#8c8c8c" };
    if (devices.length === 1) single.add(devices[0]!);
    const tooltip = capText(
      `${op.id} (${op.kernel}): ${plural(shards.length, "shard")} on ${deviceList(devices, plan.devices)}${combines.length > 0 ? `, ${plural(combines.length, "combine")}` : ""}`,
      400,
    );
    nodeLines.set(
      k,
      `    ${opNode(k)}${dotAttrs({ shape: "box", style: "rounded,filled", fillcolor: c.fill, color: c.stroke, ...nodeLabel(lines, "box"), tooltip })};`,
    );
  });

  // Clusters: each drawn layer of a stack, saying what it stands for.
  const clusters: string[] = [];
  const inCluster = new Set<number>();
  runs.forEach((r, i) => {
    const more = r.last - r.first;
    const label =
      more > 0
        ? `layers ${r.first + 1}–${r.last + 1} of ${r.repeats}, planned alike:\ndrawn once (× ${more} more identical layer${more === 1 ? "" : "s"})`
        : `layer ${r.first + 1} of ${r.repeats}`;
    clusters.push(`  subgraph ${dotString(`cluster_layer_${i}`)} {`);
    clusters.push(
      `    graph${dotAttrs({ label, style: more > 0 ? "rounded,filled,bold" : "rounded,filled", color: more > 0 ? LOOP : "#b0b0b0", fillcolor: "#fbfbfb", fontsize: 12, labeljust: "l", tooltip: label })};`,
    );
    for (const k of r.ops) {
      clusters.push(nodeLines.get(k)!);
      inCluster.add(k);
    }
    clusters.push("  }");
  });
  const loose = [...nodeLines].filter(([k]) => !inCluster.has(k)).map(([, line]) => line.slice(2));

  const inputs = program.inputs
    .filter((id) => drawnInputs.has(id))
    .map((id) => {
      const home = homes.get(id) ?? null;
      if (home !== null) single.add(home);
      return inputNodeDot(id, tensors.get(id), home, colour(home), max);
    });
  const outputs: string[] = [];
  const outputEdges: string[] = [];
  for (const id of program.outputs) {
    const held = [...new Set((graph.writers[id] ?? []).map((w) => w.device ?? "pre-distributed"))];
    outputs.push(outputNodeDot(id, tensors.get(id), deviceList(held, plan.devices), max));
    const tails = new Set(
      (graph.writers[id] ?? []).flatMap((w) =>
        w.source.kind === "task"
          ? [opNode(shownOf(taskOp.get(w.source.task)!))]
          : homes.get(id) == null
            ? []
            : [inputNode(id)],
      ),
    );
    for (const tail of tails) outputEdges.push(outputEdgeDot(tail, id));
  }

  const edgeLines = [...edges.values()].map((e) => {
    const moved = e.transfers.size;
    const sender = e.senders.size === 1 ? colour([...e.senders][0]!).stroke : "#555555";
    const what = moved > 0 ? `${formatBytes(e.bytes)} in ${plural(moved, "transfer")}` : "";
    if (e.loop) {
      const label = moved > 0 ? `next layer: ${what}` : "next layer (local)";
      return `  ${e.tail} -> ${e.head}${dotAttrs({ label, style: "dashed,bold", color: LOOP, fontcolor: LOOP, constraint: "false", tooltip: `into the next identical layer: ${moved > 0 ? what : "nothing moves"}` })};`;
    }
    if (moved === 0)
      return `  ${e.tail} -> ${e.head}${dotAttrs({ style: "dashed", color: "#9a9a9a", arrowsize: 0.5, tooltip: "read where it already is" })};`;
    const penwidth = Math.min(4, 1.2 + Math.log2(1 + e.bytes / 1024) / 3).toFixed(2);
    const tooltip = `${what} from ${deviceList([...e.senders], plan.devices)}${e.local > 0 ? `; ${plural(e.local, "read")} in place` : ""}`;
    return `  ${e.tail} -> ${e.head}${dotAttrs({ label: what, color: sender, fontcolor: sender, penwidth, tooltip: capText(tooltip, 400) })};`;
  });

  const hiddenLayers = runs.reduce((n, r) => n + r.last - r.first, 0);
  const moved = graph.transfers.reduce((sum, t) => sum + t.bytes, 0);
  const title = opts.title ?? `${program.name ?? "program"} — sharded`;
  const summary = `${graph.tasks.length} tasks on ${plural(plan.devices.length, "device")}, ${formatBytes(moved)} moved in ${plural(graph.transfers.length, "transfer")}`;
  const view = `one node per operation${hiddenLayers > 0 ? ` · ${plural(hiddenLayers, "repeated layer")} not drawn again` : ""}`;
  const shown = plan.devices.filter((d) => single.has(d)).slice(0, 16);
  return `${[
    `digraph ${dotString(program.name ?? "plan")} {`,
    ...dotPreamble(`${title}\n${summary}\n${view}`),
    `  "legend"${dotAttrs({
      shape: "plain",
      label: legend(
        shown,
        palette,
        max,
        edgeLines.some((l) => l.includes(LOOP)),
      ),
    })};`,
    ...inputs,
    ...clusters,
    ...loose,
    ...outputs,
    ...edgeLines,
    ...outputEdges,
    "}",
  ].join("\n")}\n`;
}

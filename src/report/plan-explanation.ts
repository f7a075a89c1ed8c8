import { DTYPE_BYTES } from "../base/dtype.js";
import { tensorWriters } from "../ir/dependencies.js";
import type { Operation, Program } from "../ir/program.js";
import type { OperationPlan, Plan } from "../plan/plan.js";
import {
  deriveTaskGraph,
  type Piece,
  sourceKey,
  type Task,
  type TaskGraph,
  type Transfer,
} from "../plan/task-graph.js";
import { batchAxes } from "../shard/batch-axes.js";
import { formatBytes, plural } from "./units.js";

/** How one operation of a plan is cut and what it moves, in words and in numbers. */
export interface OperationExplanation {
  readonly op: string;
  readonly kernel: string;
  readonly shards: number;
  /** The distinct devices its shard and combine tasks run on, in the plan's device order. */
  readonly devices: readonly string[];
  /** How it is cut: `runs whole on d0`, `split 4 ways along its reduction dimension k (row-parallel) on d0–d3`. */
  readonly split: string;
  /** Why its traffic is what it is: one sentence per tensor it receives or reads in place. */
  readonly traffic: readonly string[];
  /** Bytes sent to this operation's tasks from other devices (each transfer counted once). */
  readonly bytesIn: number;
  /** Transfers into this operation's tasks. */
  readonly transfers: number;
  /** The whole explanation in one paragraph, starting with the operation's id. */
  readonly text: string;
}

/** A plan in words: one line for the whole, one paragraph per operation in program order. */
export interface PlanExplanation {
  readonly summary: string;
  readonly operations: readonly OperationExplanation[];
}

/** What an index dimension of an operation is, for people: its role decides the parallelism's name. */
type DimRole = "reduction" | "row-parallel" | "batch" | "column-parallel" | "spatial" | "plain";

/**
 * Devices as a short list: a run of three or more consecutive plan devices as `first–last`,
 * at most six names otherwise.
 */
export function deviceList(devices: readonly string[], order: readonly string[]): string {
  const pos = devices.map((d) => order.indexOf(d)).sort((a, b) => a - b);
  const contiguous = pos.length >= 3 && pos.every((p, k) => k === 0 || p === pos[k - 1]! + 1) && pos[0]! >= 0;
  if (contiguous) return `${order[pos[0]!]}–${order[pos.at(-1)!]}`;
  const sorted = pos.map((p, k) => (p >= 0 ? order[p]! : devices[k]!));
  return sorted.length <= 6
    ? sorted.join(", ")
    : `${sorted.slice(0, 5).join(", ")} and ${sorted.length - 5} more`;
}

/** `3 × 64 KiB` when every transfer has the same size, else `5 transfers, 320 KiB`. */
function transferText(transfers: readonly Transfer[]): string {
  const sizes = [...new Set(transfers.map((t) => t.bytes))];
  const total = transfers.reduce((s, t) => s + t.bytes, 0);
  return sizes.length === 1
    ? `${transfers.length} × ${formatBytes(sizes[0]!)}`
    : `${plural(transfers.length, "transfer")}, ${formatBytes(total)}`;
}

function roleOf(
  op: Operation,
  dim: number,
  weights: ReadonlySet<string>,
  batchDims: ReadonlySet<number>,
): DimRole {
  const sig = op.signature;
  const readsWeightAlong = op.inputs.some(
    (s) => weights.has(s.tensor) && sig.inputs[s.name]!.projection.map.matrix.some((row) => row[dim] !== 0),
  );
  if (sig.reductions.some((r) => r.dim === dim)) return readsWeightAlong ? "row-parallel" : "reduction";
  if (batchDims.has(dim)) return "batch";
  if (readsWeightAlong) return "column-parallel";
  // A window wider than one along this dimension: neighbouring shards read overlapping rows.
  const windowed = op.inputs.some((s) => {
    const p = sig.inputs[s.name]!.projection;
    return p.map.matrix.some((row, r) => row[dim] !== 0 && (p.shape.coords[r] ?? 1) > 1);
  });
  return windowed ? "spatial" : "plain";
}

const ROLE_TEXT: Record<DimRole, (name: string) => string> = {
  reduction: (n) => `its reduction dimension ${n}`,
  "row-parallel": (n) => `its reduction dimension ${n} (row-parallel)`,
  batch: (n) => `its batch dimension ${n} (data-parallel)`,
  "column-parallel": (n) => `${n} (column-parallel: each shard holds a slice of the weights)`,
  spatial: (n) => `${n} (spatial: neighbouring shards overlap by a halo)`,
  plain: (n) => n,
};

/** The batch index dimensions of each operation (on the axis of the program outputs' leading dimension). */
function batchDimensions(program: Program): { weights: Set<string>; batch: Map<string, Set<number>> } {
  const axes = batchAxes(program);
  const batch = new Map<string, Set<number>>();
  for (const op of program.operations) {
    const classes = axes.dimensions.index[op.id] ?? [];
    batch.set(op.id, new Set(classes.flatMap((c, d) => (axes.classes.has(c) ? [d] : []))));
  }
  return { weights: new Set(axes.weights), batch };
}

/** The sentence saying how `op` is cut and where its shards run. */
function splitSentence(
  op: Operation,
  opPlan: OperationPlan,
  plan: Plan,
  roles: (dim: number) => DimRole,
): { sentence: string; shards: number } {
  const boundaries = opPlan.sharding.boundaries;
  const cuts = boundaries.flatMap((b, d) => (b.length > 2 ? [{ d, b }] : []));
  const shards = boundaries.reduce((n, b) => n * (b.length - 1), 1);
  const devices = [...new Set(opPlan.devices)];
  if (shards === 1) return { sentence: `runs whole on ${devices[0]}`, shards };
  const names = op.signature.indexNames;
  const parts = cuts.map(({ d, b }) => {
    const sizes = b.slice(1).map((e, k) => e - b[k]!);
    const uneven = new Set(sizes).size > 1 ? ` (uneven: ${sizes.join("/")})` : "";
    return { parts: b.length - 1, text: `${ROLE_TEXT[roles(d)](names[d] ?? `#${d}`)}${uneven}` };
  });
  const along =
    parts.length === 1
      ? `along ${parts[0]!.text}`
      : `(${parts.map((p) => `${p.parts} along ${p.text}`).join(" × ")})`;
  const where =
    devices.length === shards
      ? `on ${deviceList(devices, plan.devices)}`
      : `on ${plural(devices.length, "device")} (${deviceList(devices, plan.devices)})`;
  return { sentence: `split ${shards} ways ${along} ${where}`, shards };
}

/** What every plan of one program shares: its tensors, weights, batch dimensions and writers. */
interface ExplanationFacts {
  readonly tensors: ReadonlyMap<string, Program["tensors"][number]>;
  readonly weights: ReadonlySet<string>;
  readonly batch: ReadonlyMap<string, ReadonlySet<number>>;
  /** The operations (by position) writing each tensor. */
  readonly writers: ReadonlyMap<string, readonly number[]>;
}

const factsCache = new WeakMap<Program, ExplanationFacts>();

function factsOf(program: Program): ExplanationFacts {
  const known = factsCache.get(program);
  if (known !== undefined) return known;
  const { weights, batch } = batchDimensions(program);
  const writers = tensorWriters(program.operations);
  const facts = { tensors: new Map(program.tensors.map((t) => [t.id, t])), weights, batch, writers };
  factsCache.set(program, facts);
  return facts;
}

/** A task graph with its tasks found by operation. */
interface GraphIndex {
  readonly graph: TaskGraph;
  readonly tasksByOp: ReadonlyMap<string, readonly Task[]>;
  readonly taskOp: ReadonlyMap<string, string>;
}

function indexGraph(graph: TaskGraph): GraphIndex {
  const tasksByOp = new Map<string, Task[]>();
  const taskOp = new Map<string, string>();
  for (const t of graph.tasks) {
    taskOp.set(t.id, t.op);
    const list = tasksByOp.get(t.op);
    if (list === undefined) tasksByOp.set(t.op, [t]);
    else list.push(t);
  }
  return { graph, tasksByOp, taskOp };
}

/** One operation explained, with what a plan's summary needs of it. */
interface OperationFacts {
  readonly explanation: OperationExplanation;
  /** Its shard and combine tasks. */
  readonly tasks: number;
  /** The transfers into its tasks, numbered by `source|region|receiver` (how a task graph tells transfers apart). */
  readonly incoming: Int32Array;
}

/** How `op` is cut and why its traffic is what it is, from a task graph holding its tasks and their sources. */
function explainOperation(
  op: Operation,
  opPlan: OperationPlan,
  plan: Plan,
  facts: ExplanationFacts,
  homes: ReadonlyMap<string, string | null>,
  index: GraphIndex,
): { explanation: OperationExplanation; tasks: readonly Task[]; incoming: readonly Transfer[] } {
  const { graph, taskOp } = index;
  const tensors = facts.tensors;
  const bytesOf = (tensor: string, size: number) => size * DTYPE_BYTES[tensors.get(tensor)!.dtype];
  const tasks = index.tasksByOp.get(op.id) ?? [];
  const batchDims = facts.batch.get(op.id) ?? new Set<number>();
  const { sentence, shards } = splitSentence(op, opPlan, plan, (d) =>
    roleOf(op, d, facts.weights, batchDims),
  );
  const pieces: Piece[] = tasks.flatMap((t) => graph.reads[t.id] ?? []);
  const transferOf = (p: Piece) => (p.transfer === null ? undefined : graph.transfers[p.transfer]);
  const incoming = [
    ...new Map(pieces.flatMap((p) => (p.transfer === null ? [] : [[p.transfer, transferOf(p)!]]))).values(),
  ];
  const parts: string[] = [sentence];

  // Split reductions: partial outputs folded by combine tasks.
  const combines = tasks.filter((t) => t.kind === "combine");
  const partials = incoming.filter((t) => t.partial);
  if (combines.length > 0) {
    const monoid = combines[0]!.kind === "combine" ? combines[0]!.monoid : "sum";
    const outs = [...new Set(op.outputs.map((o) => o.tensor))].join(", ");
    const per = combines[0]!.kind === "combine" ? combines[0]!.parts.length : 0;
    const where = deviceList([...new Set(combines.map((c) => c.device))], plan.devices);
    const blocks =
      combines.length === 1
        ? `the ${per} partials are`
        : `the ${per} partials of each of ${combines.length} output blocks are`;
    const moved =
      partials.length === 0 ? "nothing moves (they are on one device)" : `${transferText(partials)} moved`;
    parts.push(`each shard writes a partial ${monoid} of ${outs}, ${blocks} combined on ${where}: ${moved}`);
  }

  // Everything else it reads, tensor by tensor, in the order of its operands.
  const traffic: string[] = [];
  const local: string[] = [];
  const readTensors = [...new Set(op.inputs.map((s) => s.tensor))];
  for (const tensor of readTensors) {
    const mine = pieces.filter((p) => p.tensor === tensor && !(transferOf(p)?.partial ?? false));
    const received = [
      ...new Map(mine.flatMap((p) => (p.transfer === null ? [] : [[p.transfer, transferOf(p)!]]))).values(),
    ];
    const size = bytesOf(tensor, tensors.get(tensor)!.range.size);
    // Bytes each device reads of the tensor, each distinct piece once.
    const perDevice = new Map<string, Map<string, number>>();
    for (const t of tasks) {
      for (const p of graph.reads[t.id] ?? []) {
        if (p.tensor !== tensor || (transferOf(p)?.partial ?? false)) continue;
        const seen = perDevice.get(t.device) ?? new Map<string, number>();
        seen.set(`${p.region}|${p.fromDevice}`, bytesOf(tensor, p.region.size));
        perDevice.set(t.device, seen);
      }
    }
    const readBytes = [...perDevice.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0));
    const wholeEverywhere = readBytes.length > 0 && readBytes.every((b) => b >= size);
    const home = homes.get(tensor);
    if (home === null && readBytes.length <= 1) {
      local.push(tensor);
      continue;
    }
    if (home === null) {
      // Pre-distributed: read in place, whatever the split; the split decides only memory.
      const how = wholeEverywhere
        ? `replicated: each of ${plural(readBytes.length, "device")} holds all ${formatBytes(size)} of it`
        : "each device holds just the part its shards read";
      traffic.push(`${tensor} is pre-distributed, nothing moves (${how})`);
      continue;
    }
    if (received.length === 0) {
      local.push(tensor);
      continue;
    }
    const senders = deviceList([...new Set(received.map((t) => t.from))], plan.devices);
    const receivers = deviceList([...new Set(received.map((t) => t.to))], plan.devices);
    const readers = plural(readBytes.length, "device");
    if (home !== undefined) {
      const why = wholeEverywhere ? "every shard reads all of it" : "the shards there read part of it";
      traffic.push(`${tensor} starts on ${home}: ${transferText(received)} sent to ${receivers} (${why})`);
      continue;
    }
    const producers = [
      ...new Set(received.flatMap((t) => (t.source.kind === "task" ? [taskOp.get(t.source.task)!] : []))),
    ];
    const pieceCount = (graph.writers[tensor] ?? []).length;
    const from = `from ${producers.join(", ")}${pieceCount > 1 ? "'s shards" : ""} on ${senders}`;
    const holders = new Set((graph.writers[tensor] ?? []).map((w) => w.device));
    const why =
      wholeEverywhere && readBytes.length === 1
        ? `a gather: ${receivers} reads all ${formatBytes(size)} of ${tensor}`
        : wholeEverywhere && pieceCount === 1
          ? `a broadcast: each of ${readers} reads all ${formatBytes(size)} of ${tensor}`
          : wholeEverywhere
            ? `a gather: each of ${readers} reads all ${formatBytes(size)} of ${tensor}`
            : received.every((t) => holders.has(t.to))
              ? `a halo: the shards on ${receivers} read past the part their device computed`
              : `a re-partition: the shards on ${receivers} read parts computed on other devices`;
    traffic.push(`${tensor} comes ${from}: ${transferText(received)} moved (${why})`);
  }
  if (local.length > 0)
    traffic.push(
      `${local.join(", ")} ${local.length === 1 ? "is" : "are"} already where the shards read ${local.length === 1 ? "it" : "them"}: nothing moves`,
    );
  const bytesIn = incoming.reduce((s, t) => s + t.bytes, 0);
  const used = new Set(tasks.map((t) => t.device));
  const devices = plan.devices.filter((d) => used.has(d));
  const explanation = {
    op: op.id,
    kernel: op.kernel,
    shards,
    devices,
    split: parts.join(": "),
    traffic,
    bytesIn,
    transfers: incoming.length,
    text: `${op.id}: ${parts.join(": ")}.${traffic.length === 0 ? "" : ` ${traffic.join("; ")}.`}`,
  };
  return { explanation, tasks, incoming };
}

/** The plan's one-line summary from its counts. */
function summaryOf(
  tasks: number,
  used: number,
  operations: readonly OperationExplanation[],
  transfers: number,
  moved: number,
): string {
  const split = operations.filter((o) => o.shards > 1).length;
  return `${plural(tasks, "task")} on ${plural(used, "device")}: ${split} of ${plural(operations.length, "operation")} split, ${operations.length - split} whole; ${plural(transfers, "transfer")} move ${formatBytes(moved)} between devices (derived from the geometry).`;
}

/**
 * A plan explained operation by operation: how each is cut (named by what the cut dimension
 * is: a reduction — row-parallel when it cuts a weight —, the batch, a weight's
 * non-reduction dimension — column-parallel —, or a windowed one with halos) and, from the
 * derived task graph, why its traffic is what it is: partial sums sent to their combine,
 * regions received from a producer's shards on other devices (a gather when each receiving
 * device reads the whole tensor), program inputs sent from their home, and pre-distributed
 * inputs read in place (replicated when several devices hold all of one).
 *
 * Example (the MLP's second linear cut 4 ways along `in`): `fc2: split 4 ways along its
 * reduction dimension in (row-parallel) on d0–d3: each shard writes a partial sum of logits;
 * the 4 partials are combined on d0: 3 × 16 KiB moved. …`
 */
export function explainPlan(plan: Plan, graph: TaskGraph = deriveTaskGraph(plan)): PlanExplanation {
  const program = plan.program;
  const facts = factsOf(program);
  const index = indexGraph(graph);
  const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device ?? null]));
  const opPlans = new Map(plan.operations.map((o) => [o.op, o]));
  const operations = program.operations.map(
    (op) => explainOperation(op, opPlans.get(op.id)!, plan, facts, homes, index).explanation,
  );
  const moved = graph.transfers.reduce((s, t) => s + t.bytes, 0);
  const busy = new Set(graph.tasks.map((t) => t.device));
  const used = plan.devices.filter((d) => busy.has(d)).length;
  return {
    summary: summaryOf(graph.tasks.length, used, operations, graph.transfers.length, moved),
    operations,
  };
}

/** Explains many plans of one program (`explainPlan`'s text), sharing work between them. */
export interface PlanExplainer {
  /**
   * The plan explained as `explainPlan(plan)` does, with its size: how many tasks and
   * transfers its task graph has (a task graph is derived only for operations no earlier plan
   * explained alike; pass `graph` when it is at hand).
   */
  explain(
    plan: Plan,
    graph?: TaskGraph,
  ): PlanExplanation & { readonly tasks: number; readonly transfers: number };
}

/** A fingerprint of what an explanation reads of a program, so that equal programs share work. */
function programKey(program: Program): string {
  return JSON.stringify([
    program.name ?? null,
    program.inputs,
    program.tensors.map((t) => [t.id, t.dtype, t.range.toString()]),
    program.operations.map((op) => [
      op.id,
      op.kernel,
      op.params,
      op.index.toString(),
      op.inputs.map((s) => [s.name, s.tensor, s.range.toString()]),
      op.outputs.map((s) => [s.name, s.tensor, s.range.toString()]),
    ]),
  ]);
}

/**
 * A `PlanExplainer`: the plans of a search result differ in a few operations each, and an
 * operation's explanation depends only on its own plan, the plans of the operations writing
 * what it reads, where the program inputs it reads start, and the plan's device list. Each
 * operation explained is remembered under that; a plan's other operations are explained from
 * the task graph of a smaller plan, of just them and the operations they read from. The text
 * is exactly `explainPlan`'s.
 */
export function planExplainer(): PlanExplainer {
  // Programs by fingerprint, as short numbers: a key must not carry the whole program.
  const programIds = new Map<string, number>();
  const programFacts = new Map<number, ExplanationFacts>();
  const keys = new WeakMap<Program, number>();
  const known = new Map<string, OperationFacts>();
  const transferIds = new Map<string, number>();
  const transferBytes: number[] = [];
  const intern = (key: string, bytes: number) => {
    let id = transferIds.get(key);
    if (id === undefined) {
      id = transferIds.size;
      transferIds.set(key, id);
      transferBytes.push(bytes);
    }
    return id;
  };

  return {
    explain(plan, graph) {
      const program = plan.program;
      let scope = keys.get(program);
      if (scope === undefined) {
        const fingerprint = programKey(program);
        scope = programIds.get(fingerprint) ?? programIds.size;
        programIds.set(fingerprint, scope);
        keys.set(program, scope);
      }
      // Equal programs (a search result's plans each carry a copy) share their facts too.
      const facts = programFacts.get(scope) ?? factsOf(program);
      programFacts.set(scope, facts);
      const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device ?? null]));
      const opPlans = new Map(plan.operations.map((o) => [o.op, o]));
      const planKey = program.operations.map((op) => {
        const o = opPlans.get(op.id)!;
        return JSON.stringify([o.sharding.boundaries, o.devices, o.combineDevices ?? null]);
      });
      const devices = plan.devices.join("\u0000");
      const keyOf = (k: number) => {
        const op = program.operations[k]!;
        const reads = [...new Set(op.inputs.map((s) => s.tensor))].map((t) => {
          const writers = facts.writers.get(t);
          return writers === undefined
            ? `home ${homes.get(t) ?? null}`
            : writers.map((w) => planKey[w]).join("+");
        });
        return [scope, devices, op.id, planKey[k], ...reads].join("\n");
      };
      const opKeys = program.operations.map((_, k) => keyOf(k));
      const missing = program.operations.flatMap((_, k) => (known.has(opKeys[k]!) ? [] : [k]));
      if (missing.length > 0) {
        let index: GraphIndex;
        if (graph !== undefined) index = indexGraph(graph);
        else {
          // The missing operations and those writing what they read: enough for their tasks' reads.
          const wanted = new Set(missing);
          for (const k of missing)
            for (const s of program.operations[k]!.inputs)
              for (const w of facts.writers.get(s.tensor) ?? []) wanted.add(w);
          const ops = program.operations.filter((_, k) => wanted.has(k));
          const { order: _order, ...rest } = plan;
          const sub: Plan = {
            ...rest,
            program: { ...program, operations: ops },
            operations: ops.map((op) => opPlans.get(op.id)!),
          };
          index = indexGraph(deriveTaskGraph(sub));
        }
        for (const k of missing) {
          const op = program.operations[k]!;
          const { explanation, tasks, incoming } = explainOperation(
            op,
            opPlans.get(op.id)!,
            plan,
            facts,
            homes,
            index,
          );
          known.set(opKeys[k]!, {
            explanation,
            tasks: tasks.length,
            incoming: Int32Array.from(incoming, (t) =>
              intern(`${sourceKey(t.source)}|${t.region}|${t.to}`, t.bytes),
            ),
          });
        }
      }
      const entries = opKeys.map((key) => known.get(key)!);
      const operations = entries.map((e) => e.explanation);
      const tasks = entries.reduce((n, e) => n + e.tasks, 0);
      const busy = new Set(operations.flatMap((o) => o.devices));
      const used = plan.devices.filter((d) => busy.has(d)).length;
      // A transfer that several operations read (one region sent to one device) counts once.
      const seen = new Set<number>();
      let moved = 0;
      for (const e of entries) {
        for (const id of e.incoming) {
          if (seen.has(id)) continue;
          seen.add(id);
          moved += transferBytes[id]!;
        }
      }
      return {
        summary: summaryOf(tasks, used, operations, seen.size, moved),
        operations,
        tasks,
        transfers: seen.size,
      };
    },
  };
}

/**
 * What each device's peak memory holds, by kind: weights, optimizer states, gradients,
 * activations kept for the backward, and transient tensors. The kinds come from geometry (see
 * `memoryKinds`); the split replays the schedule's allocations in the order the simulator made
 * them, so the kinds at a device's peak add up to exactly its simulated peak.
 */
import { backwardReads, forwardTensors } from "../autodiff/forward-tensors.js";
import type { Program } from "../ir/program.js";
import { writtenBack } from "../shard/batch-axes.js";
import { dimensionClasses } from "../shard/dimension-classes.js";
import type { ZRange } from "../zspace/z-range.js";
import type { PlanState, SimContext } from "./context.js";
import { unionSize } from "./region-union.js";

/** The kinds of memory a device's peak is split into. */
export const MEMORY_KINDS = ["weights", "optimizerStates", "gradients", "activations", "transient"] as const;

/** One kind of memory (see `memoryKinds` for what falls in each). */
export type MemoryKind = (typeof MEMORY_KINDS)[number];

/** A device's peak live bytes and what they held at that instant, by kind (the kinds sum to `peak`). */
export type MemoryBreakdown = { readonly peak: number } & { readonly [K in MemoryKind]: number };

/**
 * The kind of every tensor of `program`. A training step (a scalar loss and inputs written
 * back: `writtenBack`) splits into:
 *
 * - `weights`: written-back inputs the loss depends on, and their new values;
 * - `optimizerStates`: written-back inputs the loss does not depend on (Adam's `m`, `v`), and
 *   their new values — an output `new_<input>` (the names `trainStep` gives) takes its input's
 *   kind; other written-back outputs count as weights;
 * - `activations`: tensors the loss depends on (the forward, data inputs included) that an
 *   operation outside the forward reads — what the backward keeps;
 * - `gradients`: backward tensors shaped on a weight's axes (weight gradients and the update's
 *   weight-shaped intermediates);
 * - `transient`: everything else (forward tensors no backward reads, activation gradients).
 *
 * Every tensor of any other program is `transient`.
 */
export function memoryKinds(program: Program): ReadonlyMap<string, MemoryKind> {
  const kinds = new Map<string, MemoryKind>(program.tensors.map((t) => [t.id, "transient"]));
  const dimensions = dimensionClasses(program);
  const back = writtenBack(program, dimensions);
  if (back.inputs.length === 0) return kinds;
  const forward = forwardTensors(program);
  const readByBackward = backwardReads(program, forward);
  const weightClasses = back.inputs.map((i) => dimensions.tensor[i]!);
  const onWeightAxes = (t: string) => {
    const c = dimensions.tensor[t];
    return (
      c !== undefined && weightClasses.some((w) => w.length === c.length && w.every((x, i) => x === c[i]))
    );
  };
  for (const input of back.inputs) kinds.set(input, forward.has(input) ? "weights" : "optimizerStates");
  const outputs = new Set(program.outputs);
  for (const t of program.tensors) {
    if (back.inputs.includes(t.id)) continue;
    if (back.outputs.includes(t.id)) {
      const of = t.id.startsWith("new_") ? kinds.get(t.id.slice(4)) : undefined;
      kinds.set(t.id, of === "optimizerStates" ? "optimizerStates" : "weights");
    } else if (forward.has(t.id)) kinds.set(t.id, readByBackward.has(t.id) ? "activations" : "transient");
    else if (!outputs.has(t.id) && onWeightAxes(t.id)) kinds.set(t.id, "gradients");
  }
  return kinds;
}

/** A change of live bytes on a device, in the simulator's processing order (`at`, `item`, `step`). */
interface Change {
  readonly at: number;
  readonly item: number;
  readonly step: number;
  readonly dev: number;
  readonly kind: number;
  readonly bytes: number;
}

const KIND_INDEX = new Map<MemoryKind, number>(MEMORY_KINDS.map((k, i) => [k, i]));

/**
 * Each device's peak split by kind, for the plan the workspace describes (right after a full
 * schedule). It replays the schedule's allocations and frees in the simulator's order: events
 * by time, then item (task ends before arrivals); an event's own changes (an arrival allocates
 * its piece, then frees its producer's output if it was the last to need it), then the outputs of
 * the tasks it let start. Resident inputs count from the start, as their union per device.
 */
export function peakByKind(
  ctx: SimContext,
  state: PlanState,
  kinds: ReadonlyMap<string, MemoryKind>,
): Record<string, MemoryBreakdown> {
  const ws = ctx.ws;
  const { T, X, D } = ws;
  const { facts } = ctx;
  const K = MEMORY_KINDS.length;
  const kindOfTensor = facts.program.tensors.map((t) => KIND_INDEX.get(kinds.get(t.id) ?? "transient")!);
  const taskKind = (t: number) =>
    kindOfTensor[facts.tensorIndex.get(facts.program.operations[ws.taskOp[t]!]!.outputs[0]!.tensor)!]!;
  const xKind = (x: number) =>
    kindOfTensor[facts.tensorIndex.get(state.traffic.reads[ws.xOp[x]!]!.info[ws.xPiece[x]!]!.tensor)!]!;
  const live = new Float64Array(D * K);
  for (const [dev, kind, bytes] of residentInputs(ctx, state, kindOfTensor)) live[dev * K + kind]! += bytes;

  // The event after which each release happens: the last of its releasing events.
  const later = (a: readonly [number, number], b: readonly [number, number]) =>
    a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]) ? a : b;
  const endOf = (t: number) => [ws.taskEnd[t]!, t] as const;
  const arrivalOf = (x: number) => [ws.xEnd[x]!, T + x] as const;
  const outFree: (readonly [number, number] | undefined)[] = new Array(T);
  const xFree: (readonly [number, number] | undefined)[] = new Array(X);
  for (let t = 0; t < T; t++) {
    for (let q = ws.inStart[t]!; q < ws.inStart[t + 1]!; q++) {
      const x = ws.inX[q]!;
      xFree[x] = xFree[x] === undefined ? endOf(t) : later(xFree[x]!, endOf(t));
    }
    for (let q = ws.locStart[t]!; q < ws.locStart[t + 1]!; q++) {
      const p = ws.locT[q]!;
      outFree[p] = outFree[p] === undefined ? endOf(t) : later(outFree[p]!, endOf(t));
    }
  }
  for (let x = 0; x < X; x++) {
    const p = ws.xProducer[x]!;
    if (p >= 0) outFree[p] = outFree[p] === undefined ? arrivalOf(x) : later(outFree[p]!, arrivalOf(x));
  }
  const changes: Change[] = [];
  for (let d = 0; d < D; d++) {
    for (let i = ws.devStart[d]!; i < ws.devStart[d + 1]!; i++) {
      const t = ws.devSeq[i]!;
      // A task starts right after the event that let it: its device's previous task ending, or
      // its last piece arriving (before every event when neither happened).
      let enabled: readonly [number, number] = [Number.NEGATIVE_INFINITY, -1];
      if (i > ws.devStart[d]!) enabled = later(enabled, endOf(ws.devSeq[i - 1]!));
      for (let q = ws.inStart[t]!; q < ws.inStart[t + 1]!; q++)
        enabled = later(enabled, arrivalOf(ws.inX[q]!));
      const kind = taskKind(t);
      changes.push({ at: enabled[0], item: enabled[1], step: 2, dev: d, kind, bytes: ws.taskOut[t]! });
      if (ws.taskKeep[t] === 1) continue;
      const free = outFree[t] ?? endOf(t);
      changes.push({ at: free[0], item: free[1], step: 1, dev: d, kind, bytes: -ws.taskOut[t]! });
    }
  }
  for (let x = 0; x < X; x++) {
    const kind = xKind(x);
    const to = ws.xTo[x]!;
    changes.push({ at: ws.xEnd[x]!, item: T + x, step: 0, dev: to, kind, bytes: ws.xBytes[x]! });
    const free = xFree[x];
    if (free !== undefined)
      changes.push({ at: free[0], item: free[1], step: 1, dev: to, kind, bytes: -ws.xBytes[x]! });
  }
  changes.sort((a, b) => a.at - b.at || a.item - b.item || a.step - b.step);

  const total = new Float64Array(D);
  for (let d = 0; d < D; d++) for (let k = 0; k < K; k++) total[d]! += live[d * K + k]!;
  const peak = Float64Array.from(total);
  const atPeak = Float64Array.from(live);
  for (const c of changes) {
    live[c.dev * K + c.kind]! += c.bytes;
    total[c.dev]! += c.bytes;
    if (c.bytes > 0 && total[c.dev]! > peak[c.dev]!) {
      peak[c.dev] = total[c.dev]!;
      atPeak.set(live.subarray(c.dev * K, (c.dev + 1) * K), c.dev * K);
    }
  }
  const out: Record<string, MemoryBreakdown> = {};
  for (let d = 0; d < D; d++) {
    const split = Object.fromEntries(MEMORY_KINDS.map((k, i) => [k, atPeak[d * K + i]!])) as {
      [K in MemoryKind]: number;
    };
    out[ctx.devices[d]!] = { peak: peak[d]!, ...split };
  }
  return out;
}

/**
 * The program inputs each device holds for the whole run, as `[device, kind, bytes]`: whole at
 * home, else the union of the regions its tasks read (as the compiler counts them).
 */
function residentInputs(
  ctx: SimContext,
  state: PlanState,
  kindOfTensor: readonly number[],
): [number, number, number][] {
  const { facts, ws } = ctx;
  const out: [number, number, number][] = [];
  for (const tensor of facts.program.inputs) {
    const t = facts.tensorIndex.get(tensor)!;
    const h = ctx.home[t]!;
    if (h >= 0) out.push([h, kindOfTensor[t]!, facts.tensorBytes[t]!]);
  }
  const regions = new Map<number, ZRange[]>();
  for (const k of facts.order) {
    const r = state.traffic.reads[k]!;
    const place = state.places[k]!;
    const nShards = state.traffic.tasks[k]!.shards.length;
    for (let j = 0; j + 1 < r.start.length; j++) {
      const dev = j < nShards ? place.shard[j]! : place.combine[j - nShards]!;
      for (let p = r.start[j]!; p < r.start[j + 1]!; p++) {
        if (r.srcOp[p]! >= 0 || ctx.home[r.srcTask[p]!]! >= 0) continue;
        const slot = r.srcTask[p]! * ws.D + dev;
        const list = regions.get(slot);
        if (list === undefined) regions.set(slot, [r.info[p]!.region]);
        else list.push(r.info[p]!.region);
      }
    }
  }
  for (const [slot, list] of regions) {
    const t = Math.floor(slot / ws.D);
    const distinct = [...new Map(list.map((z) => [z.toString(), z])).values()];
    out.push([slot % ws.D, kindOfTensor[t]!, unionSize(distinct) * facts.elementBytes[t]!]);
  }
  return out;
}

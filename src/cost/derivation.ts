import { DTYPE_BYTES } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import type { DeviceType } from "../cluster/cluster.js";
import { topologicalOrder } from "../ir/dependencies.js";
import type { Operation, Program } from "../ir/program.js";
import { combineTaskId, shardTaskId } from "../plan/task-id.js";
import type { OperationSharding } from "../shard/operation-sharding.js";
import {
  type CombineGeometry,
  combineGeometry,
  type ShardGeometry,
  shardGeometry,
} from "../shard/shard-geometry.js";
import type { ZRange } from "../zspace/z-range.js";
import type { CostModel, TaskWork } from "./cost-model.js";
import { COMBINE_KERNEL, kernelSeconds } from "./kernel-time.js";

// What the simulator derives from a plan, split by what it depends on so that a local change
// re-derives little: `ProgramFacts` depend on the program alone, an `OpGeometry` on one
// operation's sharding, and `OpReads` on one operation's geometry and its producers'. Nothing
// here depends on placement: devices enter only when the schedule is compiled.

/**
 * Interns strings to dense integers: append-only, shared by a simulator and everything derived
 * from it, so it grows with the distinct (source, region) pairs re-splits have produced; a new
 * `createSimulator` starts afresh.
 */
export class Interner {
  private readonly ids = new Map<string, number>();

  /** The id of `key`, new ones numbered from 0 in order of first use. */
  id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }

  /** How many distinct strings have ids. */
  get size(): number {
    return this.ids.size;
  }
}

/** Facts of a program the simulator looks up while deriving and compiling. */
export interface ProgramFacts {
  readonly program: Program;
  /** Operation positions in the order tasks are derived (the IR's topological order). */
  readonly order: readonly number[];
  readonly opIndex: ReadonlyMap<string, number>;
  readonly tensorIndex: ReadonlyMap<string, number>;
  readonly inputs: ReadonlySet<string>;
  /** Bytes of each whole tensor, by tensor position. */
  readonly tensorBytes: readonly number[];
  readonly elementBytes: readonly number[];
  /** Per tensor position: true for program outputs (kept until the end). */
  readonly isOutput: readonly boolean[];
  /** Per tensor id: the operations writing it, in derivation order. */
  readonly producers: ReadonlyMap<string, readonly number[]>;
  /** Per tensor id: the operations reading it. */
  readonly readers: ReadonlyMap<string, readonly number[]>;
  /** Per operation position: the operations reading a tensor it writes. */
  readonly consumers: readonly (readonly number[])[];
  readonly interner: Interner;
}

/** The facts of `program`. */
export function programFacts(program: Program): ProgramFacts {
  const order = topologicalOrder(program.operations).order;
  const opIndex = new Map(program.operations.map((op, i) => [op.id, i]));
  const tensorIndex = new Map(program.tensors.map((t, i) => [t.id, i]));
  const elementBytes = program.tensors.map((t) => DTYPE_BYTES[t.dtype]);
  const outputs = new Set(program.outputs);
  const producers = new Map<string, number[]>();
  for (const k of order) {
    for (const o of program.operations[k]!.outputs) {
      const list = producers.get(o.tensor) ?? [];
      if (!list.includes(k)) list.push(k);
      producers.set(o.tensor, list);
    }
  }
  const readers = new Map<string, number[]>();
  program.operations.forEach((op, k) => {
    for (const sel of op.inputs) {
      const list = readers.get(sel.tensor) ?? [];
      if (!list.includes(k)) list.push(k);
      readers.set(sel.tensor, list);
    }
  });
  const consumers = program.operations.map((op) => {
    const written = new Set(op.outputs.map((o) => o.tensor));
    return program.operations.flatMap((c, i) => (c.inputs.some((s) => written.has(s.tensor)) ? [i] : []));
  });
  return {
    program,
    order,
    opIndex,
    tensorIndex,
    inputs: new Set(program.inputs),
    tensorBytes: program.tensors.map((t, i) => t.range.size * elementBytes[i]!),
    elementBytes,
    isOutput: program.tensors.map((t) => outputs.has(t.id)),
    producers,
    readers,
    consumers,
    interner: new Interner(),
  };
}

/** A final writer of a tensor region: one output of one task of an operation. */
export interface WriterGeometry {
  readonly tensor: string;
  readonly output: string;
  /** Local task index within the operation (shards first, then combines). */
  readonly task: number;
  readonly region: ZRange;
  readonly sourceKey: string;
}

/**
 * One operation under one sharding: its tasks (shards `0..shards-1`, then combines), the work
 * of each, the bytes each writes, and the final writers of its outputs.
 */
export interface OpGeometry {
  readonly op: Operation;
  readonly index: number;
  readonly sharding: OperationSharding;
  readonly shards: readonly ShardGeometry[];
  readonly combines: readonly CombineGeometry[];
  /** Shard positions folded by each combine. */
  readonly combineParts: readonly (readonly number[])[];
  readonly taskIds: readonly string[];
  readonly work: readonly TaskWork[];
  /** Seconds of each task on each device type: `seconds[type * tasks + task]`, NaN when it cannot run there. */
  readonly seconds: Float64Array;
  readonly outBytes: Float64Array;
  /** 1 when a task writes part of a program output (so its outputs are never freed). */
  readonly keepsOutput: Uint8Array;
  readonly writers: readonly WriterGeometry[];
}

/** Derives an operation's geometry under `sharding`. */
export function deriveOpGeometry(
  facts: ProgramFacts,
  index: number,
  sharding: OperationSharding,
  model: CostModel,
  types: readonly DeviceType[],
): OpGeometry {
  const op = facts.program.operations[index]!;
  const shards = shardGeometry(op, sharding);
  const combines = combineGeometry(op, shards);
  const outTensor = new Map(op.outputs.map((s) => [s.name, s.tensor]));
  const taskIds: string[] = [];
  const work: TaskWork[] = [];
  const n = shards.length + combines.length;
  const outBytes = new Float64Array(n);
  const keepsOutput = new Uint8Array(n);
  const writers: WriterGeometry[] = [];
  const account = (task: number, outputs: Readonly<Record<string, ZRange>>, final: boolean) => {
    for (const [name, region] of Object.entries(outputs)) {
      const tensor = outTensor.get(name)!;
      const t = facts.tensorIndex.get(tensor)!;
      outBytes[task]! += region.size * facts.elementBytes[t]!;
      if (facts.isOutput[t] && final) keepsOutput[task] = 1;
      if (final) {
        const sourceKey = `t:${taskIds[task]}:${name}`;
        writers.push({ tensor, output: name, task, region, sourceKey });
      }
    }
  };
  shards.forEach((s, k) => {
    taskIds.push(shardTaskId(op.id, s.shard));
    work.push(model.shardWork(op, s));
    account(k, s.outputs, !s.partial);
  });
  combines.forEach((c, b) => {
    taskIds.push(combineTaskId(op.id, c.block));
    work.push(model.combineWork(op, c, c.parts.length));
    account(shards.length + b, c.outputs, true);
  });
  const seconds = new Float64Array(types.length * n);
  types.forEach((type, y) => {
    work.forEach((w, j) => {
      const kernel = j < shards.length ? op.kernel : COMBINE_KERNEL;
      seconds[y * n + j] = kernelSeconds(kernel, w, type) ?? Number.NaN;
    });
  });
  return {
    op,
    index,
    sharding,
    shards,
    combines,
    combineParts: combines.map((c) => c.parts),
    taskIds,
    work,
    seconds,
    outBytes,
    keepsOutput,
    writers,
  };
}

/** What a piece of a read is, for the timeline: the operand, tensor and region. */
export interface PieceInfo {
  readonly operand: string;
  readonly tensor: string;
  readonly region: ZRange;
  readonly partial: boolean;
}

/**
 * The pieces every task of one operation reads, in compressed rows over its local tasks: the
 * source (operation position and local task, or −1 and the tensor position for a program
 * input), the interned (source, region) key that identifies a transfer, and the bytes.
 */
export interface OpReads {
  readonly start: Int32Array;
  readonly srcOp: Int32Array;
  readonly srcTask: Int32Array;
  readonly key: Int32Array;
  readonly bytes: Float64Array;
  readonly info: readonly PieceInfo[];
}

interface Writer {
  readonly op: number;
  readonly task: number;
  readonly region: ZRange;
  readonly sourceKey: string;
}

/**
 * Derives the pieces of operation `index`'s tasks from its geometry and its producers'. Shard
 * reads follow `deriveTaskGraph` exactly (operands in order, writers in derivation order, empty
 * intersections skipped), so transfers come out in the same order with the same ids.
 */
export function deriveOpReads(
  facts: ProgramFacts,
  geometries: readonly OpGeometry[],
  index: number,
): OpReads {
  const g = geometries[index]!;
  const op = g.op;
  const writersOf = (tensor: string): Writer[] => {
    const t = facts.tensorIndex.get(tensor)!;
    if (facts.inputs.has(tensor)) {
      const decl = facts.program.tensors[t]!;
      return [{ op: -1, task: t, region: decl.range, sourceKey: `i:${tensor}` }];
    }
    return (facts.producers.get(tensor) ?? []).flatMap((p) =>
      geometries[p]!.writers.filter((w) => w.tensor === tensor).map((w) => ({ op: p, ...w })),
    );
  };
  const srcOp: number[] = [];
  const srcTask: number[] = [];
  const key: number[] = [];
  const bytes: number[] = [];
  const info: PieceInfo[] = [];
  const nShards = g.shards.length;
  const start = new Int32Array(nShards + g.combines.length + 1);
  const add = (w: Writer, region: ZRange, tensor: string, operand: string, partial: boolean) => {
    srcOp.push(w.op);
    srcTask.push(w.task);
    key.push(facts.interner.id(`${w.sourceKey}|${region}`));
    bytes.push(region.size * facts.elementBytes[facts.tensorIndex.get(tensor)!]!);
    info.push({ operand, tensor, region, partial });
  };
  const writers = new Map(op.inputs.map((sel) => [sel.tensor, writersOf(sel.tensor)]));
  g.shards.forEach((s, k) => {
    start[k] = srcOp.length;
    for (const sel of op.inputs) {
      const need = s.inputs[sel.name]!;
      for (const w of writers.get(sel.tensor)!) {
        // Most writer × reader pairs of a fine grid are disjoint: test before allocating.
        if (w.region.intersects(need)) add(w, w.region.intersect(need), sel.tensor, sel.name, false);
      }
    }
  });
  const outTensor = new Map(op.outputs.map((s) => [s.name, s.tensor]));
  g.combines.forEach((c, b) => {
    start[nShards + b] = srcOp.length;
    for (const [name, region] of Object.entries(c.outputs)) {
      if (region.isEmpty()) continue;
      for (const p of c.parts) {
        const sourceKey = `t:${g.taskIds[p]}:${name}`;
        add({ op: index, task: p, region, sourceKey }, region, outTensor.get(name)!, name, true);
      }
    }
  });
  start[nShards + g.combines.length] = srcOp.length;
  return {
    start,
    srcOp: Int32Array.from(srcOp),
    srcTask: Int32Array.from(srcTask),
    key: Int32Array.from(key),
    bytes: Float64Array.from(bytes),
    info,
  };
}

/** The operation position of `op`, or `plan_mismatch`. */
export function opPosition(facts: ProgramFacts, op: string): number {
  const k = facts.opIndex.get(op);
  if (k === undefined)
    throw new TesseraError("plan_mismatch", `the program has no operation '${op}'`, { op });
  return k;
}

/**
 * Per tensor position, 1 for a program input of which two distinct regions read by some tasks
 * overlap (halos, broadcasts). Where none do, the bytes a device holds of a pre-distributed
 * input are simply the sum of the distinct regions it reads. With `previous` and `ops`, only
 * the inputs those operations read are re-examined (the rest is copied).
 */
export function overlappingInputs(
  facts: ProgramFacts,
  reads: readonly OpReads[],
  previous?: Uint8Array,
  ops?: readonly number[],
): Uint8Array {
  const out = previous === undefined ? new Uint8Array(facts.program.tensors.length) : previous.slice();
  const tensors = new Set<string>();
  for (const k of ops ?? facts.program.operations.map((_, i) => i))
    for (const sel of facts.program.operations[k]!.inputs)
      if (facts.inputs.has(sel.tensor)) tensors.add(sel.tensor);
  for (const tensor of tensors) {
    const t = facts.tensorIndex.get(tensor)!;
    const byKey = new Map<number, ZRange>();
    for (const k of facts.readers.get(tensor) ?? []) {
      const r = reads[k]!;
      for (let p = 0; p < r.srcOp.length; p++) {
        if (r.srcOp[p]! < 0 && r.srcTask[p] === t) byKey.set(r.key[p]!, r.info[p]!.region);
      }
    }
    const list = [...byKey.values()];
    out[t] = list.some((a, i) => list.slice(i + 1).some((b) => a.intersects(b))) ? 1 : 0;
  }
  return out;
}

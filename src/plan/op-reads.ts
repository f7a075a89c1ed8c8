import type { ZRange } from "../zspace/z-range.js";
import type { OpTasks } from "./op-tasks.js";
import type { ProgramFacts } from "./program-facts.js";
import { type RegionIndex, regionIndex } from "./region-index.js";
import { type Source, sourceKey } from "./source.js";

/** Writers (and reading shards) from which a read's writers are looked up in a `regionIndex`. */
const INDEXED_WRITERS = 16;

/** What a piece of a read is: the consumer's operand, the source, the tensor and region. */
export interface PieceInfo {
  /** The operand of the consuming task (for a combine, the output being folded). */
  readonly operand: string;
  readonly source: Source;
  readonly tensor: string;
  readonly region: ZRange;
  /** True for partial results on their way to a combine. */
  readonly partial: boolean;
}

/**
 * The pieces every task of one operation reads, in compressed rows over its local tasks
 * (`start[j]..start[j+1]`): the source (operation position and local task, or −1 and the tensor
 * position for a program input), the interned (source, region) pair that identifies what a device
 * receives, the bytes, and what the piece is. Nothing here depends on placement: a piece
 * becomes a transfer only once its source and reader are on different devices.
 */
export interface OpReads {
  readonly start: Int32Array;
  readonly srcOp: Int32Array;
  readonly srcTask: Int32Array;
  readonly key: Int32Array;
  readonly bytes: Float64Array;
  /**
   * What reading each piece copies on the local executor, whatever the placement, as
   * `PIECE_*` bits: `PIECE_ASSEMBLED` when its operand is read from several pieces (the worker
   * writes each into one fresh buffer), `PIECE_PART` when the piece is part of its writer's
   * region (a device holding that whole region, the writer's own or a home input's, cuts the
   * piece out with a copy; a transferred or pre-distributed piece is held as is).
   */
  readonly copies: Uint8Array;
  /**
   * Contiguous runs the copies of each piece walk (`copyRuns`): `runs[2p]` writing piece `p`
   * into its assembled operand, `runs[2p + 1]` cutting it out of its writer's region; 0 where
   * `copies` says there is no such copy. A run is one `set` of a typed array, or an element loop
   * when short: narrow pieces cost per run, not only per byte.
   */
  readonly runs: Int32Array;
  readonly info: readonly PieceInfo[];
}

/** `OpReads.copies` bit: the piece is one of several its operand is assembled from. */
export const PIECE_ASSEMBLED = 1;
/** `OpReads.copies` bit: the piece is part of its writer's region, not the whole of it. */
export const PIECE_PART = 2;

/** A task graph `Writer` by position: operation, local task, the region and its interned source. */
interface IndexedWriter {
  readonly op: number;
  readonly task: number;
  readonly region: ZRange;
  readonly source: Source;
  /** The source's number in `facts.interner`. */
  readonly sourceId: number;
}

/**
 * Derives the pieces of operation `index`'s tasks from its tasks and its producers'. A shard's
 * read of each operand (in operand order) is cut into its intersections with every final
 * writer of the tensor (the program input, or the producers' writers in derivation order),
 * empty intersections skipped; a combine reads its chunk of every part's partial. The pieces
 * of a read tile the region read, with no element twice.
 *
 * With `reuse`, the operation's own tasks are those `reuse.reads` was derived for and only the
 * writers of the operations in `reuse.changed` may differ: operands no output of those
 * operations feeds, and the combines, copy their pieces from `reuse.reads` instead of
 * intersecting again.
 */
export function deriveOpReads(
  facts: ProgramFacts,
  tasks: readonly OpTasks[],
  index: number,
  reuse?: { readonly reads: OpReads; readonly changed: ReadonlySet<number> },
): OpReads {
  return deriveOpReadsWithin(facts, tasks, index, Number.POSITIVE_INFINITY, reuse)!;
}

/**
 * `deriveOpReads`, given up as soon as the operation's tasks read more than `maxPieces`
 * pieces: `undefined` then. Deriving costs time and memory linear in the pieces, and a
 * re-split that makes every shard read from every writer of a fine grid would otherwise be
 * built in full before anyone could refuse it.
 */
export function deriveOpReadsWithin(
  facts: ProgramFacts,
  tasks: readonly OpTasks[],
  index: number,
  maxPieces: number,
  reuse?: { readonly reads: OpReads; readonly changed: ReadonlySet<number> },
): OpReads | undefined {
  const g = tasks[index]!;
  const op = g.op;
  const writersOf = (tensor: string): IndexedWriter[] => {
    const t = facts.tensorIndex.get(tensor)!;
    if (facts.inputs.has(tensor)) {
      const decl = facts.program.tensors[t]!;
      const source: Source = { kind: "input", tensor };
      return [
        { op: -1, task: t, region: decl.range, source, sourceId: facts.interner.source(sourceKey(source)) },
      ];
    }
    return (facts.producers.get(tensor) ?? []).flatMap((p) =>
      tasks[p]!.writers.filter((w) => w.tensor === tensor).map((w) => ({
        op: p,
        task: w.task,
        region: w.region,
        source: w.source,
        sourceId: facts.interner.source(w.sourceKey),
      })),
    );
  };
  const srcOp: number[] = [];
  const srcTask: number[] = [];
  const key: number[] = [];
  const bytes: number[] = [];
  const copies: number[] = [];
  const runs: number[] = [];
  const info: PieceInfo[] = [];
  const nShards = g.shards.length;
  const start = new Int32Array(nShards + g.combines.length + 1);
  const add = (w: IndexedWriter, region: ZRange, tensor: string, operand: string, partial: boolean) => {
    srcOp.push(w.op);
    srcTask.push(w.task);
    key.push(facts.interner.id(w.sourceId, region));
    bytes.push(region.size * facts.elementBytes[facts.tensorIndex.get(tensor)!]!);
    const part = region !== w.region && !region.equals(w.region);
    copies.push(part ? PIECE_PART : 0);
    runs.push(0, part ? copyRuns(region, w.region, region) : 0);
    info.push({ operand, source: w.source, tensor, region, partial });
  };
  // Marks the pieces of the operand read since `from` as assembled into `need` when there are several.
  const assembled = (from: number, need: ZRange) => {
    if (srcOp.length - from < 2) return;
    for (let p = from; p < srcOp.length; p++) {
      copies[p]! |= PIECE_ASSEMBLED;
      runs[2 * p] = copyRuns(info[p]!.region, info[p]!.region, need);
    }
  };
  const old = reuse?.reads;
  const fed = (tensor: string) =>
    reuse !== undefined && (facts.producers.get(tensor) ?? []).some((p) => reuse.changed.has(p));
  const copy = (p: number) => {
    srcOp.push(old!.srcOp[p]!);
    srcTask.push(old!.srcTask[p]!);
    key.push(old!.key[p]!);
    bytes.push(old!.bytes[p]!);
    copies.push(old!.copies[p]!);
    runs.push(old!.runs[2 * p]!, old!.runs[2 * p + 1]!);
    info.push(old!.info[p]!);
  };
  const writers = new Map(
    op.inputs.map((sel) => [sel.tensor, old !== undefined && !fed(sel.tensor) ? [] : writersOf(sel.tensor)]),
  );
  // Many shards reading many writers: find each read's writers through a grid index.
  const indexes = new Map<string, RegionIndex>();
  const candidatesOf = (tensor: string, need: ZRange): readonly IndexedWriter[] => {
    const all = writers.get(tensor)!;
    if (all.length < INDEXED_WRITERS || nShards < INDEXED_WRITERS) return all;
    let index = indexes.get(tensor);
    if (index === undefined) {
      index = regionIndex(all.map((w) => w.region));
      indexes.set(tensor, index);
    }
    return index.candidates(need).map((i) => all[i]!);
  };
  for (const [k, s] of g.shards.entries()) {
    if (srcOp.length > maxPieces) return undefined;
    start[k] = srcOp.length;
    // The old row lists the same operands in the same order: walk it alongside.
    let p = old === undefined ? 0 : old.start[k]!;
    for (const sel of op.inputs) {
      if (old !== undefined && !fed(sel.tensor)) {
        for (; p < old.start[k + 1]! && old.info[p]!.operand === sel.name; p++) copy(p);
        continue;
      }
      if (old !== undefined) while (p < old.start[k + 1]! && old.info[p]!.operand === sel.name) p++;
      const need = s.inputs[sel.name]!;
      const from = srcOp.length;
      for (const w of candidatesOf(sel.tensor, need)) {
        const region = overlap(w.region, need);
        if (region !== undefined) add(w, region, sel.tensor, sel.name, false);
      }
      assembled(from, need);
    }
  }
  const outTensor = new Map(op.outputs.map((s) => [s.name, s.tensor]));
  g.combines.forEach((c, b) => {
    start[nShards + b] = srcOp.length;
    if (old !== undefined) {
      // A combine reads its own operation's partials, which did not change.
      for (let p = old.start[nShards + b]!; p < old.start[nShards + b + 1]!; p++) copy(p);
      return;
    }
    for (const [name, region] of Object.entries(c.outputs)) {
      if (region.isEmpty()) continue;
      for (const p of c.parts) {
        const source: Source = { kind: "task", task: g.taskIds[p]!, output: name };
        // The part's writer is the shard's whole partial output; a scattered combine reads a chunk of it.
        const whole = g.shards[p]!.outputs[name] ?? region;
        const w = {
          op: index,
          task: p,
          region: whole,
          source,
          sourceId: facts.interner.source(sourceKey(source)),
        };
        add(w, region, outTensor.get(name)!, name, true);
      }
    }
  });
  start[nShards + g.combines.length] = srcOp.length;
  if (srcOp.length > maxPieces) return undefined;
  return {
    start,
    srcOp: Int32Array.from(srcOp),
    srcTask: Int32Array.from(srcTask),
    key: Int32Array.from(key),
    bytes: Float64Array.from(bytes),
    copies: Uint8Array.from(copies),
    runs: Int32Array.from(runs),
    info,
  };
}

/**
 * The intersection of a writer's region with a read, undefined when empty: the writer's own
 * region when it lies inside the read (no allocation; most pairs of a fine grid are disjoint or
 * nested).
 */
function overlap(w: ZRange, need: ZRange): ZRange | undefined {
  const a = w.start.coords;
  const b = w.end.coords;
  const c = need.start.coords;
  const d = need.end.coords;
  const n = a.length;
  let inside = true;
  for (let i = 0; i < n; i++) {
    const lo = Math.max(a[i]!, c[i]!);
    const hi = Math.min(b[i]!, d[i]!);
    if (lo >= hi) return undefined;
    if (lo !== a[i] || hi !== b[i]) inside = false;
  }
  return inside ? w : w.intersect(need);
}

/**
 * The contiguous runs a copy of `box` from a buffer laid out over `src` into one over `dst`
 * walks (as `writeRegion` and `sliceRegion` do): the innermost dimensions along which the box
 * spans both buffers whole form one run, so the runs are the box's extents outside them
 * multiplied. Example: a 4 × 32 box of a 4 × 64 source into a 4 × 32 buffer is 4 runs of 32;
 * a 4 × 64 box of it is one run of 256.
 */
export function copyRuns(box: ZRange, src: ZRange, dst: ZRange): number {
  const n = box.rank;
  const extent = (r: ZRange, d: number) => r.end.coords[d]! - r.start.coords[d]!;
  let k = n - 1;
  while (k > 0 && extent(box, k) === extent(src, k) && extent(box, k) === extent(dst, k)) k--;
  let count = 1;
  for (let d = 0; d < k; d++) count *= extent(box, d);
  return count;
}

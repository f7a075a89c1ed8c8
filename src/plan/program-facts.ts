import { DTYPE_BYTES } from "../base/dtype.js";
import { tensorWriters, topologicalOrder } from "../ir/dependencies.js";
import type { Program } from "../ir/program.js";
import type { ZRange } from "../zspace/z-range.js";

/**
 * Interns (source, region) pairs to dense integers: append-only, shared by everything derived
 * from one set of program facts, so it grows with the distinct pieces re-splits have produced.
 * Ids are numbered from 0 in order of first use. A pair is found in an open-addressing table
 * by a numeric hash of the source's interned key and the region's corners, never by building a
 * string per piece.
 */
export class Interner {
  private readonly sources = new Map<string, number>();
  /** Open addressing, linear probing: `id + 1` per slot, 0 when empty; at most half full. */
  private slots: Int32Array<ArrayBuffer> = new Int32Array(128);
  private hash: Int32Array<ArrayBuffer> = new Int32Array(64);
  private sourceOf: Int32Array<ArrayBuffer> = new Int32Array(64);
  /** Corners of id `i`'s region: `corners[cornerStart[i] .. cornerStart[i + 1])`, starts then ends. */
  private cornerStart: Int32Array<ArrayBuffer> = new Int32Array(65);
  private corners = new Float64Array(256);
  private count = 0;

  /** The number of a source (a `sourceKey(source)` string): look it up once per writer, not per piece. */
  source(sourceKey: string): number {
    let s = this.sources.get(sourceKey);
    if (s === undefined) {
      s = this.sources.size;
      this.sources.set(sourceKey, s);
    }
    return s;
  }

  /** The id of the piece `region` of the source numbered `s` (by `source`). */
  id(s: number, region: ZRange): number {
    const lo = region.start.coords;
    const hi = region.end.coords;
    const n = lo.length;
    let h = Math.imul(s ^ 0x2545f491, 0x9e3779b1);
    for (let i = 0; i < n; i++) {
      h = Math.imul(h ^ lo[i]!, 0x85ebca6b);
      h = Math.imul(h ^ hi[i]!, 0xc2b2ae35);
    }
    h ^= h >>> 15;
    const { slots, hash, sourceOf, cornerStart, corners } = this;
    const mask = slots.length - 1;
    let i = h & mask;
    for (let id = slots[i]! - 1; id >= 0; i = (i + 1) & mask, id = slots[i]! - 1) {
      if (hash[id] !== h || sourceOf[id] !== s || cornerStart[id + 1]! - cornerStart[id]! !== 2 * n) continue;
      const c = cornerStart[id]!;
      let same = true;
      for (let d = 0; d < n && same; d++) same = corners[c + d] === lo[d] && corners[c + n + d] === hi[d];
      if (same) return id;
    }
    return this.add(s, lo, hi, h, i);
  }

  /** How many distinct pieces have ids. */
  get size(): number {
    return this.count;
  }

  /** Numbers a new pair whose hash is `h`, in the empty slot `slot`. */
  private add(s: number, lo: readonly number[], hi: readonly number[], h: number, slot: number): number {
    const id = this.count++;
    const n = lo.length;
    if (id >= this.hash.length) {
      this.hash = grown(this.hash, 2 * id);
      this.sourceOf = grown(this.sourceOf, 2 * id);
      this.cornerStart = grown(this.cornerStart, 2 * id + 1);
    }
    const c = this.cornerStart[id]!;
    if (c + 2 * n > this.corners.length) {
      const corners = new Float64Array(2 * (c + 2 * n));
      corners.set(this.corners);
      this.corners = corners;
    }
    for (let d = 0; d < n; d++) {
      this.corners[c + d] = lo[d]!;
      this.corners[c + n + d] = hi[d]!;
    }
    this.cornerStart[id + 1] = c + 2 * n;
    this.hash[id] = h;
    this.sourceOf[id] = s;
    this.slots[slot] = id + 1;
    if (2 * this.count > this.slots.length) this.rehash();
    return id;
  }

  /** Doubles the table and re-inserts every id by its stored hash. */
  private rehash(): void {
    const slots = new Int32Array(2 * this.slots.length);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let i = this.hash[id]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
  }
}

function grown(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** Facts of a program the traffic core looks up while deriving tasks and pieces. */
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
  /** Interns (source, region) pairs: the identity of a piece a device may receive. */
  readonly interner: Interner;
}

/** The facts of `program`. */
export function programFacts(program: Program): ProgramFacts {
  const order = topologicalOrder(program.operations).order;
  const opIndex = new Map(program.operations.map((op, i) => [op.id, i]));
  const tensorIndex = new Map(program.tensors.map((t, i) => [t.id, i]));
  const elementBytes = program.tensors.map((t) => DTYPE_BYTES[t.dtype]);
  const outputs = new Set(program.outputs);
  // Writers in derivation (topological) order: positions in `order`, mapped back to operations.
  const producers = new Map<string, number[]>();
  const operationAt = (i: number) => order[i]!;
  for (const [tensor, at] of tensorWriters(order.map((k) => program.operations[k]!))) {
    producers.set(tensor, at.map(operationAt));
  }
  const readers = new Map<string, number[]>();
  program.operations.forEach((op, k) => {
    for (const sel of op.inputs) {
      const list = readers.get(sel.tensor) ?? [];
      if (!list.includes(k)) list.push(k);
      readers.set(sel.tensor, list);
    }
  });
  // Through `readers`, not a scan of every operation per operation: linear in the program's size.
  const consumers = program.operations.map((op) => {
    const found = new Set<number>();
    for (const o of op.outputs) for (const i of readers.get(o.tensor) ?? []) found.add(i);
    return [...found].sort((a, b) => a - b);
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

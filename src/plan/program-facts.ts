import { DTYPE_BYTES } from "../base/dtype.js";
import { topologicalOrder } from "../ir/dependencies.js";
import type { Program } from "../ir/program.js";

/**
 * Interns strings to dense integers: append-only, shared by everything derived from one set of
 * program facts, so it grows with the distinct (source, region) pairs re-splits have produced.
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
  /** Interns `sourceKey|region` strings: the identity of a piece a device may receive. */
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

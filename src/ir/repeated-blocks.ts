import { tensorWriters } from "../ir/dependencies.js";
import type { Operation, Program } from "../ir/program.js";

/**
 * A stack of identical layers among a program's operations (in the order given): `repeats`
 * consecutive copies of the `length` operations starting at position `start`.
 */
export interface RepeatedBlock {
  readonly start: number;
  readonly length: number;
  readonly repeats: number;
}

/** What `findRepeatedBlocks` accepts. */
export interface RepeatedBlockOptions {
  /** The fewest copies worth collapsing (default 2). */
  readonly minRepeats?: number;
  /** The longest layer looked for, in operations (default 256). */
  readonly maxLength?: number;
}

interface Producer {
  readonly op: number;
  readonly output: string;
}

/**
 * Finds stacks of repeated layers, scanning left to right and taking at each position the
 * repetition that covers the most operations (the shortest layer on ties), cut between copies
 * where the fewest tensors cross (so a residual layer ends at its add). Copies must be
 * structurally identical: the same kernels, params, operand shapes and dtypes in the same
 * order, and the same wiring: inside a copy operation `j` reads the same positions as in the
 * first copy, each copy after the first reads its predecessor (a stack, not parallel
 * branches), and only the last copy's tensors are read after the stack or are program
 * outputs — so drawing the first copy stands for all of them. A layer that is itself a
 * repetition of a shorter one is not looked for (the shorter one is), which keeps the search
 * near-linear even over hundreds of identical parallel operations.
 *
 * Example: 12 residual layers `linear → relu → add` give `{ start: 0, length: 3, repeats: 12 }`.
 */
export function findRepeatedBlocks(
  program: Program,
  ops: readonly Operation[],
  opts: RepeatedBlockOptions = {},
): RepeatedBlock[] {
  const minRepeats = Math.max(2, opts.minRepeats ?? 2);
  const n = ops.length;
  const dtypes = new Map(program.tensors.map((t) => [t.id, t.dtype]));
  const outputs = new Set(program.outputs);
  const interned = new Map<string, number>();
  const base = ops.map((op) => {
    const key = JSON.stringify([
      op.kernel,
      op.params,
      op.inputs.map((s) => [s.name, s.range.shape.coords, dtypes.get(s.tensor)]),
      op.outputs.map((s) => [s.name, s.range.shape.coords, dtypes.get(s.tensor)]),
    ]);
    if (!interned.has(key)) interned.set(key, interned.size);
    return interned.get(key)!;
  });
  const writers = tensorWriters(ops);
  const readers = new Map<string, { op: number; range: Operation["inputs"][number]["range"] }[]>();
  ops.forEach((op, k) => {
    for (const s of op.inputs)
      readers.set(s.tensor, [...(readers.get(s.tensor) ?? []), { op: k, range: s.range }]);
  });
  const producers: Producer[][][] = ops.map((op) =>
    op.inputs.map((s) =>
      (writers.get(s.tensor) ?? []).flatMap((w) =>
        ops[w]!.outputs.filter(
          (o) => o.tensor === s.tensor && o.range.rank === s.range.rank && o.range.intersects(s.range),
        ).map((o) => ({ op: w, output: o.name })),
      ),
    ),
  );

  /** How the copy starting at `b` reads: per operation and input, `i`/`p` positions or `x`. */
  const wiring = (b: number, length: number, loose: boolean): string => {
    const parts: string[] = [];
    for (let j = 0; j < length; j++) {
      for (const ps of producers[b + j]!) {
        const cls = ps.map((p) =>
          p.op >= b && p.op < b + length
            ? `i${p.op - b}.${p.output}`
            : loose
              ? "*"
              : p.op >= b - length && p.op < b
                ? `p${p.op - b + length}.${p.output}`
                : "x",
        );
        parts.push([...new Set(cls)].sort().join("+") || "*");
      }
      parts.push("|");
    }
    return parts.join(",");
  };
  const readsPrevious = (b: number, length: number) =>
    Array.from({ length }, (_, j) => producers[b + j]!).some((inputs) =>
      inputs.some((ps) => ps.some((p) => p.op >= b - length && p.op < b)),
    );
  /** True when a tensor of copy `t` is read at or after `end`, or is a program output. */
  const escapes = (start: number, length: number, t: number, end: number) => {
    for (let k = start + t * length; k < start + (t + 1) * length; k++) {
      for (const s of ops[k]!.outputs) {
        if (outputs.has(s.tensor)) return true;
        const late = (readers.get(s.tensor) ?? []).some(
          (r) => r.op >= end && r.range.rank === s.range.rank && r.range.intersects(s.range),
        );
        if (late) return true;
      }
    }
    return false;
  };
  /** The number of leading copies of a base-identical run that are also wired identically. */
  const wiredRepeats = (start: number, length: number, repeats: number): number => {
    // The first copy reads from before the stack, so it is compared loosely; the others exactly.
    const second = start + length;
    if (wiring(start, length, true) !== wiring(second, length, true) || !readsPrevious(second, length))
      return 1;
    const wired = wiring(second, length, false);
    let r = 2;
    while (r < repeats) {
      const b = start + r * length;
      if (wiring(b, length, false) !== wired || !readsPrevious(b, length)) break;
      r++;
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (let t = 0; t < r - 1; t++) {
        if (escapes(start, length, t, start + r * length)) {
          r = t + 1;
          changed = true;
          break;
        }
      }
    }
    return r;
  };
  // runs[L][k]: how many positions from k on have the same base signature as L further on.
  // A window [s, s + L·r) repeats with period L exactly when runs[L][s] ≥ L·(r − 1).
  const maxLength = Math.min(opts.maxLength ?? 256, Math.floor(n / 2));
  const runs: Int32Array[] = [new Int32Array(0)];
  for (let length = 1; length <= maxLength; length++) {
    const run = new Int32Array(n + 1);
    for (let k = n - length - 1; k >= 0; k--) run[k] = base[k] === base[k + length] ? run[k + 1]! + 1 : 0;
    runs.push(run);
  }
  /** True when the layer [s, s + length) is itself a repetition of a shorter one. */
  const composite = (s: number, length: number) => {
    for (let p = 1; p <= length / 2; p++) if (length % p === 0 && runs[p]![s]! >= length - p) return true;
    return false;
  };

  /** The repetition starting at `s` that covers the most operations (the shortest layer on ties). */
  const bestAt = (s: number): RepeatedBlock | undefined => {
    let best: RepeatedBlock | undefined;
    for (let length = 1; length <= maxLength && s + 2 * length <= n; length++) {
      const repeats = 1 + Math.floor(runs[length]![s]! / length);
      if (repeats < minRepeats || composite(s, length) || !readsPrevious(s + length, length)) continue;
      const wired = wiredRepeats(s, length, repeats);
      if (wired >= minRepeats && (best === undefined || wired * length > best.repeats * best.length)) {
        best = { start: s, length, repeats: wired };
      }
    }
    return best;
  };
  const end = (b: RepeatedBlock) => b.start + b.length * b.repeats;
  /** How many tensors of one copy the next copy reads: the narrowest cut is the layer boundary. */
  const interfaceWidth = (b: RepeatedBlock) => {
    const read = new Set<string>();
    for (let k = b.start + b.length; k < b.start + 2 * b.length; k++) {
      for (const ps of producers[k]!) {
        for (const p of ps) if (p.op >= b.start && p.op < b.start + b.length) read.add(`${p.op}.${p.output}`);
      }
    }
    return read.size;
  };

  const blocks: RepeatedBlock[] = [];
  let s = 0;
  while (s < n) {
    let best = bestAt(s);
    if (best === undefined) {
      s++;
      continue;
    }
    // The same stack seen from a later start is the same layers cut elsewhere: prefer the cut
    // that the fewest tensors cross (a residual layer ends at its add), then the longer reach.
    let score = [interfaceWidth(best), -end(best)];
    for (let later = s + 1; later < s + best.length; later++) {
      const other = bestAt(later);
      if (other === undefined || other.length !== best.length) continue;
      const otherScore = [interfaceWidth(other), -end(other)];
      if (otherScore[0]! < score[0]! || (otherScore[0] === score[0] && otherScore[1]! < score[1]!)) {
        best = other;
        score = otherScore;
      }
    }
    blocks.push(best);
    s = end(best);
  }
  return blocks;
}

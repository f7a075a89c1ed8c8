import type { Operation, Program } from "../ir/program.js";

/**
 * Which dimensions of a program are "the same axis": a union of operation index dimensions and
 * tensor dimensions, linked wherever a projection row reads exactly one index dimension (as an
 * einsum reads a label). Class ids are small integers; every dimension has one (singletons too).
 */
export interface DimensionClasses {
  /** Per operation id, the class of each index dimension. */
  readonly index: Readonly<Record<string, readonly number[]>>;
  /** Per tensor id, the class of each tensor dimension. */
  readonly tensor: Readonly<Record<string, readonly number[]>>;
}

/**
 * The one index dimension a projection row follows, or `undefined`: the row must have exactly
 * one nonzero coefficient, equal to 1, among the index dimensions of extent above 1 (extent-1
 * dimensions take one value, so they cannot tell axes apart). A zero row (a whole softmax row,
 * a broadcast) and a mixed row (a grouped-convolution channel `g·C + c` with `g > 1`) follow none.
 *
 * Example: linear's input `x[b, k]` has rows `[1,0,0]` and `[0,0,1]` over `(batch, out, in)`:
 * tensor dimension 0 follows `batch`, dimension 1 follows `in`.
 */
export function followedIndexDim(row: readonly number[], extents: readonly number[]): number | undefined {
  let found: number | undefined;
  for (let d = 0; d < row.length; d++) {
    if (row[d] === 0 || (extents[d] ?? 0) <= 1) continue;
    if (found !== undefined || row[d] !== 1) return undefined;
    found = d;
  }
  return found;
}

/** Every operand of `op` as `[tensor id, projection matrix rows]`, inputs first. */
export function operandRows(
  op: Operation,
): { tensor: string; rows: readonly (readonly number[])[]; output: boolean }[] {
  const sig = op.signature;
  return [
    ...op.inputs.map((s) => ({
      tensor: s.tensor,
      rows: sig.inputs[s.name]!.projection.map.matrix,
      output: false,
    })),
    ...op.outputs.map((s) => ({
      tensor: s.tensor,
      rows: sig.outputs[s.name]!.projection.map.matrix,
      output: true,
    })),
  ];
}

/** The dimension classes of `program` (see `DimensionClasses`). */
export function dimensionClasses(program: Program): DimensionClasses {
  const parent: number[] = [];
  const fresh = () => parent.push(parent.length) - 1;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const tensorNodes = new Map(program.tensors.map((t) => [t.id, t.range.shape.coords.map(fresh)]));
  const indexNodes = new Map(program.operations.map((op) => [op.id, op.index.shape.coords.map(fresh)]));
  for (const op of program.operations) {
    const extents = op.index.shape.coords;
    for (const { tensor, rows } of operandRows(op)) {
      rows.forEach((row, r) => {
        const d = followedIndexDim(row, extents);
        const t = tensorNodes.get(tensor)?.[r];
        if (d === undefined || t === undefined) return;
        parent[find(t)] = find(indexNodes.get(op.id)![d]!);
      });
    }
  }
  const roots = (nodes: Map<string, number[]>) =>
    Object.fromEntries([...nodes].map(([id, ns]) => [id, ns.map(find)]));
  return { index: roots(indexNodes), tensor: roots(tensorNodes) };
}

import type { Program } from "../../ir/program.js";

/**
 * For each operation (by position), the positions of its *twins*: the other operations of the
 * same kind — the same kernel, params, and operand names, shapes and dtypes, in order. A
 * transformer stack's twins are the same operation in every layer (and its q, k and v
 * projections, which are alike too). Twins accept the same layouts, so the search can give a
 * whole layer class one layout in one move, and a plan found for one block tiles the stack.
 */
export function operationTwins(program: Program): number[][] {
  const dtypes = new Map(program.tensors.map((t) => [t.id, t.dtype]));
  const groups = new Map<string, number[]>();
  const keys = program.operations.map((op, i) => {
    const key = JSON.stringify([
      op.kernel,
      op.params,
      op.index.start.coords,
      op.index.end.coords,
      op.inputs.map((s) => [s.name, s.range.start.coords, s.range.end.coords, dtypes.get(s.tensor)]),
      op.outputs.map((s) => [s.name, s.range.start.coords, s.range.end.coords, dtypes.get(s.tensor)]),
    ]);
    const group = groups.get(key) ?? [];
    group.push(i);
    groups.set(key, group);
    return key;
  });
  return keys.map((key, i) => groups.get(key)!.filter((j) => j !== i));
}

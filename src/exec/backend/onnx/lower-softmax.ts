import { type Lowering, ShardGraph } from "./lowering.js";

/**
 * softmax → Softmax along the one dimension of x that the index does not move (the all-zero
 * row of x's projection, whose box spans the whole line). Every shard holds whole lines, so
 * the normalization never splits.
 */
export const softmaxLowering: Lowering = (geometry, ctx) => {
  const rows = ctx.signature.inputs.x?.projection.map.matrix ?? [];
  const lines = rows.flatMap((row, d) => (row.every((v) => v === 0) ? [d] : []));
  const axis = lines[0];
  if (axis === undefined || lines.length !== 1)
    return { unsupported: "softmax over a projection with no single line dimension" };
  const s = new ShardGraph(geometry);
  return s.done(s.g.op("Softmax", [s.input("x")], { axis }));
};

import { layoutSteps } from "../../../kernels/library/layout-steps.js";
import { type Lowering, ShardGraph } from "./lowering.js";

/**
 * transpose, slice, broadcast_to, copy and pad: the steps of `layoutSteps` as ONNX ops, Slice,
 * Reshape, Transpose, Reshape and Expand. transpose is then one Transpose, slice one Slice,
 * copy an Identity and broadcast_to an Expand.
 */
export const layoutLowering: Lowering = (geometry, ctx) => {
  const s = new ShardGraph(geometry);
  const { g } = s;
  const dims = s.fitted("x").needed.shape.toArray();
  const steps = layoutSteps(ctx.signature.inputs.x?.projection.map.matrix ?? [], dims, s.outDims);
  if ("refused" in steps) return { unsupported: steps.refused };
  let v = s.input("x");
  if (steps.slice !== undefined) {
    const all = dims.map((_, d) => d);
    v = g.op("Slice", [v, g.int64s(dims.map(() => 0)), g.int64s(dims), g.int64s(all), g.int64s(steps.slice)]);
  }
  if (steps.squeeze !== undefined) v = g.op("Reshape", [v, g.int64s(steps.squeeze)]);
  if (steps.permute !== undefined) v = g.op("Transpose", [v], { perm: steps.permute.slice() });
  if (steps.place !== undefined) v = g.op("Reshape", [v, g.int64s(steps.place)]);
  if (steps.expand !== undefined) v = g.op("Expand", [v, g.int64s(steps.expand)]);
  return s.done(v);
};

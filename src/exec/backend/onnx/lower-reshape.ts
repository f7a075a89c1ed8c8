import { type Lowering, ShardGraph } from "./lowering.js";

/**
 * reshape → Reshape, over the whole index range only: reshape is unshardable (a box of the
 * output does not read a box of x), and the rare sub-range runs the reference implementation.
 */
export const reshapeLowering: Lowering = (geometry, ctx) => {
  if (!ctx.index.equals(ctx.signature.index))
    return { unsupported: "reshape lowers only over its whole index range (it is unshardable)" };
  const s = new ShardGraph(geometry);
  return s.done(s.g.op("Reshape", [s.input("x"), s.g.int64s(s.outDims)]));
};

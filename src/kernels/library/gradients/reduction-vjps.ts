/** VJPs of the reductions: the cotangent broadcast back over the reduced dimensions. */
import type { Vjp, VjpArgs } from "../../vjp.js";
import type { ReduceParams } from "../reduce.js";
import { axis, binary, expandReduced, scaled } from "./vjp-ops.js";

/** The reduced dimensions of a reduction over input of `rank`: sorted, non-negative. */
function reducedDims(params: ReduceParams, rank: number): number[] {
  const dims = params.dims ?? Array.from({ length: rank }, (_, d) => d);
  return dims.map((d) => axis(d, rank)).sort((p, q) => p - q);
}

function expanded(args: VjpArgs<ReduceParams>, which: "dy" | "out") {
  const x = args.inputs.x!;
  const dims = reducedDims(args.params, x.shape.length);
  const t = which === "dy" ? args.cotangents.out! : args.outputs.out!;
  return expandReduced(args.emit, t, x.shape, dims, args.params.keepdims);
}

/** sum: every summed element receives the cotangent of its sum. */
export const SUM_VJP: Vjp<ReduceParams> = (args) => ({ x: expanded(args, "dy") });

/** mean: as sum, divided by the count of elements averaged. */
export const MEAN_VJP: Vjp<ReduceParams> = (args) => {
  const x = args.inputs.x!;
  const count = reducedDims(args.params, x.shape.length).reduce((n, d) => n * x.shape[d]!, 1);
  return { x: scaled(args.emit, expanded(args, "dy"), 1 / count) };
};

/**
 * max/min: the cotangent goes to the elements equal to the result, split evenly between ties
 * (as PyTorch's `amax` does). The mask is `1 ∓ sign(x − result)`: x never exceeds its max, so
 * the sign is −1 below it and 0 at it.
 */
function extremumVjp(larger: boolean): Vjp<ReduceParams> {
  return (args) => {
    const { emit, params } = args;
    const x = args.inputs.x!;
    const dims = reducedDims(params, x.shape.length);
    const s = emit.call("sign", { x: binary(emit, "sub", x, expanded(args, "out")) });
    const mask = scaled(emit, s, larger ? 1 : -1, 1);
    const ties = emit.call("sum", { x: mask }, { dims, keepdims: params.keepdims });
    const share = binary(
      emit,
      "div",
      expanded(args, "dy"),
      expandReduced(emit, ties, x.shape, dims, params.keepdims),
    );
    return { x: binary(emit, "mul", share, mask) };
  };
}

/** The VJP of max over dimensions. */
export const MAX_VJP = extremumVjp(true);

/** The VJP of min over dimensions. */
export const MIN_VJP = extremumVjp(false);

import type { Operation } from "../ir/program.js";
import type { ZRange } from "../zspace/z-range.js";
import { elementsPerPoint } from "./elements-per-point.js";

/** The matrix product a task amounts to: `batch` independent `m × k · k × n` products. */
export interface GemmShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly batch: number;
}

/**
 * The GEMM shape of an operation restricted to `range`, read off its signature alone (no kernel
 * knowledge), or undefined when the operation is not a contraction (fewer than two inputs or no
 * reduction dimension). With `a` and `b` the first two inputs: a non-reduction index dimension
 * that `a`'s projection reads and `b`'s does not is an `m` dimension, one `b` reads and `a` does
 * not an `n` dimension, one both read a batch dimension (one neither reads counts as `m`); `k`
 * is the product of the reduction extents times the elements a point reads
 * (`elementsPerPoint`, the window of a convolution). So a matmul `[batch, m, n, k]` is itself,
 * a linear `[rows, out, in]` is `m = rows, k = in, n = out`, and a conv2d
 * `[N, G, OCg, OH, OW, Cg]` is `m = N·OH·OW, k = Cg·KH·KW, n = OCg` in `G` groups: the GEMM
 * an im2col convolution runs. Cost models of kernels whose speed depends on the product's
 * aspect ratio (skinny shards run below the rate of square ones of equal FLOPs) key on it.
 */
export function gemmShape(op: Operation, range: ZRange): GemmShape | undefined {
  const sig = op.signature;
  const inputs = Object.values(sig.inputs);
  if (inputs.length < 2 || sig.reductions.length === 0) return undefined;
  const reads = (matrix: readonly (readonly number[])[], j: number) => matrix.some((row) => row[j] !== 0);
  const a = inputs[0]!.projection.map.matrix;
  const b = inputs[1]!.projection.map.matrix;
  const extents = range.shape.coords;
  let m = 1;
  let n = 1;
  let k = elementsPerPoint(op);
  let batch = 1;
  for (let j = 0; j < extents.length; j++) {
    const e = extents[j]!;
    if (sig.reductions.some((r) => r.dim === j)) k *= e;
    else if (reads(a, j) && reads(b, j)) batch *= e;
    else if (reads(b, j)) n *= e;
    else m *= e;
  }
  return { m, k, n, batch };
}

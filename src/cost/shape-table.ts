import type { KernelTable } from "../cluster/cluster.js";
import type { GemmShape } from "./gemm-shape.js";
import { tableSeconds } from "./table-seconds.js";

/**
 * A table's shape points prepared for lookups: per point its coordinates (log2 m, log2 k,
 * log2 n) and the log of its seconds over the FLOP-keyed curve's at its FLOPs (its shape
 * factor), for the peak they were prepared at.
 */
interface PreparedShapes {
  readonly peak: number;
  readonly coords: Float64Array;
  readonly logFactors: Float64Array;
}

// Prepared once per table (and peak), so a lookup allocates nothing.
const prepared = new WeakMap<KernelTable, PreparedShapes>();

function prepare(table: KernelTable, peak: number): PreparedShapes {
  const cached = prepared.get(table);
  if (cached !== undefined && cached.peak === peak) return cached;
  const shapes = table.shapes ?? [];
  const coords = new Float64Array(3 * shapes.length);
  const logFactors = new Float64Array(shapes.length);
  shapes.forEach(([m, k, n, seconds], i) => {
    coords[3 * i] = Math.log2(m);
    coords[3 * i + 1] = Math.log2(k);
    coords[3 * i + 2] = Math.log2(n);
    logFactors[i] = Math.log(seconds / tableSeconds(table, 2 * m * k * n, peak));
  });
  const out = { peak, coords, logFactors };
  prepared.set(table, out);
  return out;
}

/**
 * The log shape factor of a product of shape `gemm` by the table's shape points: inverse-distance
 * weighting of the points' log factors in (log2 m, log2 k, log2 n) space, weights 1 / d⁴, and
 * the point's own factor at a point (d = 0). The batch count does not enter: a batch of products
 * runs each at its shape's efficiency. A convex combination, so it stays between the smallest
 * and largest factor of the points; the fourth power keeps it local (with 1 / d² the many far
 * points of a three-dimensional grid outweigh the few near ones). 0 (no correction) when the
 * table has no shape points.
 */
export function shapeLogFactor(table: KernelTable, gemm: GemmShape, peak: number): number {
  const { coords, logFactors } = prepare(table, peak);
  const x = Math.log2(gemm.m);
  const y = Math.log2(gemm.k);
  const z = Math.log2(gemm.n);
  let weights = 0;
  let sum = 0;
  for (let i = 0; i < logFactors.length; i++) {
    const dx = x - coords[3 * i]!;
    const dy = y - coords[3 * i + 1]!;
    const dz = z - coords[3 * i + 2]!;
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 < 1e-18) return logFactors[i]!;
    const w = 1 / (d2 * d2);
    weights += w;
    sum += w * logFactors[i]!;
  }
  return weights === 0 ? 0 : sum / weights;
}

/**
 * Seconds of a contraction of `flops` FLOPs and shape `gemm` by a FLOP-keyed table with shape
 * points: the FLOP-keyed curve's seconds (`tableSeconds`) times the shape factor
 * (`shapeLogFactor`). At a shape point of one product (batch 1, `flops = 2·m·k·n`) it gives that
 * point's seconds; a table without shape points prices as `tableSeconds` alone. Not capped at
 * the device's peak: the factor is bounded by measured ones, and `peakFlops` (one square
 * matmul) is slower than some measured kernels (a 3×3 convolution's im2col product ran at 1.1×
 * it on the development machine), so a cap would re-price shapes the curve already measured.
 */
export function shapedSeconds(table: KernelTable, flops: number, gemm: GemmShape, peak: number): number {
  return tableSeconds(table, flops, peak) * Math.exp(shapeLogFactor(table, gemm, peak));
}

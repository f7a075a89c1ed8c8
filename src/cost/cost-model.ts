import type { DType } from "../base/dtype.js";
import { DTYPE_BYTES } from "../base/dtype.js";
import type { DeviceType } from "../cluster/cluster.js";
import type { Operation } from "../ir/program.js";
import type { CombineGeometry, ShardGeometry } from "../shard/shard-geometry.js";
import { elementsPerPoint } from "./elements-per-point.js";
import { type GemmShape, gemmShape } from "./gemm-shape.js";

export { elementsPerPoint } from "./elements-per-point.js";

/** What one task asks of its device: arithmetic, memory traffic, and the dtype it computes in. */
export interface TaskWork {
  readonly flops: number;
  /** Bytes read and written in device memory (inputs + outputs, or parts + result for a combine). */
  readonly bytes: number;
  readonly dtype: DType;
  /**
   * The matrix product the task amounts to, for kernels that are contractions (`gemmShape`):
   * kernel tables with shape points price it by its aspect, not by its FLOPs alone. Absent for
   * other kernels, for combines, and from cost models that do not set it.
   */
  readonly gemm?: GemmShape;
}

/**
 * How much work a task is, from the operation's signature and the task's geometry alone. The
 * simulator asks once per shard and combine when an operation's sharding is derived (never per
 * evaluation), so a model may be as elaborate as it likes. Swap in a refined one through
 * `SimulationOptions.costModel`.
 */
export interface CostModel {
  shardWork(op: Operation, shard: ShardGeometry): TaskWork;
  combineWork(op: Operation, combine: CombineGeometry, parts: number): TaskWork;
}

function outputDtype(op: Operation): DType {
  const first = Object.values(op.signature.outputs)[0] ?? Object.values(op.signature.inputs)[0];
  return first?.dtype ?? "float32";
}

function regionBytes(regions: Readonly<Record<string, { readonly size: number }>>, dtypes: readonly DType[]) {
  let bytes = 0;
  Object.values(regions).forEach((r, i) => {
    bytes += r.size * DTYPE_BYTES[dtypes[i] ?? "float32"];
  });
  return bytes;
}

/**
 * The default model, from the signature only (no kernel knowledge):
 *
 * - a shard does `2 × points × elementsPerPoint(op)` FLOPs (a multiply and an add per element
 *   read) and moves its input regions plus its output regions; a contraction's shard also
 *   carries its GEMM shape (`gemmShape`);
 * - a combine of `p` partial blocks does `elements × (p − 1)` FLOPs and moves the `p` parts plus
 *   the result.
 *
 * Example: a 64×32×16 matmul shard (`m, n, k`) does 2·64·32·16 = 65,536 FLOPs; a 3×3
 * convolution shard does 18 FLOPs per output element and input channel.
 */
export const DEFAULT_COST_MODEL: CostModel = {
  shardWork(op, shard) {
    const inDtypes = Object.values(op.signature.inputs).map((o) => o.dtype);
    const outDtypes = Object.values(op.signature.outputs).map((o) => o.dtype);
    const gemm = gemmShape(op, shard.range);
    return {
      flops: 2 * shard.range.size * elementsPerPoint(op),
      bytes: regionBytes(shard.inputs, inDtypes) + regionBytes(shard.outputs, outDtypes),
      dtype: outputDtype(op),
      ...(gemm === undefined ? {} : { gemm }),
    };
  },
  combineWork(op, combine, parts) {
    const outDtypes = Object.values(op.signature.outputs).map((o) => o.dtype);
    const elements = Object.values(combine.outputs).reduce((n, r) => n + r.size, 0);
    return {
      flops: elements * Math.max(0, parts - 1),
      bytes: (parts + 1) * regionBytes(combine.outputs, outDtypes),
      dtype: outputDtype(op),
    };
  },
};

/**
 * Seconds a task takes on a device type: a roofline plus the launch overhead,
 * `launchOverhead + max(flops / peakFlops[dtype], bytes / memoryBandwidth)`. `undefined` when
 * the device type has no peak rate for the task's dtype (it cannot run it).
 */
export function taskSeconds(work: TaskWork, type: DeviceType): number | undefined {
  const peak = type.peakFlops[work.dtype];
  if (peak === undefined) return undefined;
  return type.launchOverhead + Math.max(work.flops / peak, work.bytes / type.memoryBandwidth);
}

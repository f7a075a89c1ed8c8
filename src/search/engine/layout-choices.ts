import type { Operation } from "../../ir/program.js";
import type { DimSplit } from "../../zspace/z-range.js";
import { acceptsSplit } from "../accepts-split.js";

/** One way to cut an operation: even splits of at most two index dimensions, and the shard count. */
export interface Layout {
  readonly splits: readonly DimSplit[];
  readonly shards: number;
}

/** Options of `layoutChoices`. */
export interface LayoutChoiceOptions {
  /** How many index dimensions a layout may cut at once (1 or 2); default 2. */
  readonly maxDims?: number;
  /** Keep only layouts with exactly this many shards (plus the whole operation); default any. */
  readonly shards?: number;
}

/**
 * The even grid layouts of `op` on `deviceCount` devices that `gridSharding` accepts: the
 * whole operation, then every index dimension of extent ≥ 2 (reductions included: a reduction
 * split is the row-parallel layout) cut into `p` parts, and every pair cut into `p × q`, where
 * parts are powers of two or `deviceCount` itself, at most the extent, and the shard count is
 * at most `deviceCount`. Powers of two keep the list short (O(r² log² n)) while covering the
 * factorizations clusters are built from; `deviceCount` itself covers the odd sizes.
 */
export function layoutChoices(
  op: Operation,
  deviceCount: number,
  options: LayoutChoiceOptions = {},
): Layout[] {
  const maxDims = options.maxDims ?? 2;
  const extents = op.index.shape.coords;
  const partsOf = (d: number): number[] => {
    const limit = Math.min(deviceCount, extents[d]!);
    const parts: number[] = [];
    for (let p = 2; p <= limit; p *= 2) parts.push(p);
    if (limit === deviceCount && !parts.includes(limit) && limit >= 2) parts.push(limit);
    return parts;
  };
  const out: Layout[] = [{ splits: [], shards: 1 }];
  if (op.signature.unshardable !== undefined || deviceCount < 2) return out;
  const dims = extents.map((_, d) => d).filter((d) => extents[d]! >= 2);
  const wanted = (shards: number) => options.shards === undefined || shards === options.shards;
  const add = (splits: DimSplit[], shards: number) => {
    if (wanted(shards) && acceptsSplit(op, splits)) out.push({ splits, shards });
  };
  for (const d of dims) for (const p of partsOf(d)) add([{ dim: d, parts: p }], p);
  if (maxDims >= 2) {
    for (const [i, a] of dims.entries()) {
      for (const b of dims.slice(i + 1)) {
        for (const p of partsOf(a)) {
          for (const q of partsOf(b)) {
            if (p * q <= deviceCount)
              add(
                [
                  { dim: a, parts: p },
                  { dim: b, parts: q },
                ],
                p * q,
              );
          }
        }
      }
    }
  }
  return out;
}

// Benchmark suite: the Z-space operations the planner runs in its inner loops (intersecting
// shard regions, cutting index ranges, projecting them onto tensors, checking partitions).
import { mulberry32 } from "../dist/base/index.js";
import { IndexProjection, tiles, ZAffineMap, ZRange } from "../dist/zspace/index.js";

/** Stable id: names this suite's section in BENCHMARKS.md. */
export const id = "zspace";

/** Heading of the suite's section. */
export const title = "Z-space geometry";

/** What the suite measures, one sentence. */
export const description =
  "Throughput of the `ZRange` / `IndexProjection` operations that shard planning runs in its inner loops.";

/** 64 rank-4 ranges with origins in [-32, 32) and extents in [1, 64], mostly overlapping one another. */
function rank4Ranges() {
  const next = mulberry32(42);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo));
  return Array.from({ length: 64 }, () => {
    const start = Array.from({ length: 4 }, () => int(-32, 32));
    return ZRange.fromStartShape(
      start,
      start.map(() => int(1, 65)),
    );
  });
}

/** The cases: each `fn(i)` performs one operation, cycling through prepared inputs by `i`. */
export function cases() {
  const ranges = rank4Ranges();
  const other = (i) => ranges[(i * 7 + 3) & 63];

  const big = ZRange.fromBounds([0, -16, 8, 0], [512, 496, 1032, 64]);
  const grid = [
    { dim: 0, parts: 4 },
    { dim: 2, parts: 4 },
  ];

  // C[i, j] += A[i, k] · B[k, j] over the index space (i, j, k): A reads (i, k).
  const matmulA = IndexProjection.pointwise(ZAffineMap.projection([0, 2], 3));
  const matmulShards = ZRange.fromShape([1024, 1024, 1024]).split([
    { dim: 0, parts: 8 },
    { dim: 1, parts: 8 },
  ]);

  // conv2d, stride 2, 3×3 window, padding 1, over the index space (n, oc, oh, ow, ic):
  // the input box of index point (n, oc, oh, ow, ic) is x[n, ic, 2·oh - 1 .. +3, 2·ow - 1 .. +3].
  const convX = IndexProjection.of(
    ZAffineMap.fromMatrix(
      [
        [1, 0, 0, 0, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 2, 0, 0],
        [0, 0, 0, 2, 0],
      ],
      [0, 0, -1, -1],
    ),
    [1, 1, 3, 3],
  );
  const convShards = ZRange.fromShape([32, 64, 112, 112, 64]).split([
    { dim: 0, parts: 4 },
    { dim: 2, parts: 4 },
    { dim: 3, parts: 4 },
  ]);

  const whole = ZRange.fromBounds([-100, 0], [412, 640]);
  const boxes = whole.split([
    { dim: 0, parts: 8 },
    { dim: 1, parts: 8 },
  ]);

  return [
    { name: "ZRange.intersect (rank 4)", fn: (i) => ranges[i & 63].intersect(other(i)) },
    { name: "ZRange.intersects (rank 4)", fn: (i) => ranges[i & 63].intersects(other(i)) },
    { name: "ZRange.split (rank 4 → 4×4 grid)", fn: () => big.split(grid) },
    {
      name: "IndexProjection.applyRange (matmul A[i,k])",
      fn: (i) => matmulA.applyRange(matmulShards[i % matmulShards.length]),
    },
    {
      name: "IndexProjection.applyRange (conv2d input, rank 5 → 4)",
      fn: (i) => convX.applyRange(convShards[i % convShards.length]),
    },
    { name: "tiles (64-box 8×8 grid)", fn: () => tiles(boxes, whole) },
  ];
}

import { DTYPE_BYTES } from "../base/dtype.js";
import { formatBytes } from "../report/units.js";
import { IndexProjection } from "../zspace/index-projection.js";
import { tilingDefect } from "../zspace/tiling.js";
import { ZAffineMap } from "../zspace/z-affine-map.js";
import { type DimSplit, ZRange } from "../zspace/z-range.js";
import { textTable } from "./text-table.js";

/** Sizes and cuts of the matmul sharding demo. */
export interface MatmulDemoOptions {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly splits: readonly DimSplit[];
}

/** The default demo: uneven m split, even n split, and a split reduction dimension k. */
export const DEFAULT_MATMUL_DEMO: MatmulDemoOptions = {
  m: 500,
  n: 384,
  k: 256,
  splits: [
    { dim: 0, parts: 3 },
    { dim: 1, parts: 2 },
    { dim: 2, parts: 2 },
  ],
};

/**
 * Text showing how a matmul's index space `(m, n, k)` is cut into shards and how each shard
 * projects onto A, B and C: the arithmetic sharding is built on, printed for a person.
 */
export function matmulGeometryDemo(opts: MatmulDemoOptions = DEFAULT_MATMUL_DEMO): string {
  const { m, n, k } = opts;
  const index = ZRange.fromShape([m, n, k]);
  const a = IndexProjection.pointwise(ZAffineMap.projection([0, 2], 3));
  const b = IndexProjection.pointwise(ZAffineMap.projection([2, 1], 3));
  const c = IndexProjection.pointwise(ZAffineMap.projection([0, 1], 3));
  const shards = index.split(opts.splits);
  const bytes = DTYPE_BYTES.float32;
  const lines: string[] = [];
  lines.push("Sharding a matmul by its index projection signature");
  lines.push("");
  lines.push(`  C[m, n] = Σ_k A[m, k] · B[k, n]      m = ${m}, n = ${n}, k = ${k}, float32`);
  lines.push(`  index space ${index}   dims (m, n, k); k is a sum reduction`);
  lines.push(`  projections  A: ${a}   B: ${b}   C: ${c}`);
  const desc = opts.splits.map(
    (s) => `${"mnk"[s.dim]} ${"parts" in s ? `in ${s.parts}` : `at ${s.cuts.join("/")}`}`,
  );
  lines.push("");
  lines.push(
    `Split ${desc.join(", ")} → ${shards.length} shards (uneven extents are legal: ${m} in 3 is ${index
      .splitBoundaries([{ dim: 0, parts: 3 }])[0]!
      .slice(1)
      .map((e, i, arr) => e - (i === 0 ? 0 : arr[i - 1]!))
      .join("/")})`,
  );
  lines.push("");
  const rows: string[][] = [];
  let readBytes = 0;
  for (const [i, s] of shards.entries()) {
    const ra = a.applyRange(s);
    const rb = b.applyRange(s);
    const rc = c.applyRange(s);
    readBytes += (ra.size + rb.size) * bytes;
    rows.push([String(i), s.toString(), ra.toString(), rb.toString(), rc.toString()]);
  }
  const table = textTable(["shard", "index box", "reads A", "reads B", "writes C (partial over k)"], rows, [
    "right",
  ]);
  lines.push(...table.split("\n").map((l) => `  ${l}`));
  const defect = tilingDefect(shards, index);
  const cRegions = shards.map((s) => c.applyRange(s));
  const distinctC = new Map(cRegions.map((r) => [r.toString(), r]));
  const kParts = opts.splits.find((s) => s.dim === 2);
  const partials = kParts === undefined ? 1 : "parts" in kParts ? kParts.parts : kParts.cuts.length + 1;
  const wholeBytes = (m * k + k * n) * bytes;
  lines.push("");
  lines.push(`Checks (all derived from the projections, nothing special-cased):`);
  lines.push(
    `  • the ${shards.length} index boxes tile the index space exactly: ${defect === undefined ? "yes" : `no (${defect.kind})`}`,
  );
  lines.push(
    `  • the C regions tile C in ${distinctC.size} blocks: ${tilingDefect([...distinctC.values()], ZRange.fromShape([m, n])) === undefined ? "yes" : "no"}; each block has ${partials} partial sums (k is split) folded with +`,
  );
  lines.push(
    `  • shards read ${formatBytes(readBytes)} of inputs in total vs ${formatBytes(wholeBytes)} of A and B: ${(readBytes / wholeBytes).toFixed(2)}× replication, the price of splitting m and n`,
  );
  return lines.join("\n");
}

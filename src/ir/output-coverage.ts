import type { IssueCollector } from "../base/issue.js";
import { pointer } from "../base/json.js";
import type { Signature } from "../kernels/signature.js";
import type { IndexProjection } from "../zspace/index-projection.js";
import { ZRange } from "../zspace/z-range.js";

/**
 * Why `projection` does not write each element of `selection` exactly once as the
 * non-reduction points of `index` range over it, or undefined when it does.
 *
 * Exactly-once is decided structurally. Reduction dimensions must not move the output. Every
 * other index dimension of extent > 1 moves exactly one output dimension, and the dimensions
 * moving one output dimension must form a mixed radix: sorted by step, the first steps by that
 * dimension's box extent and each next one by the previous step times the previous extent
 * (grouped convolution's channel `g·OCg + ocg` is such a pair). So boxes sit side by side,
 * never overlapping and never leaving gaps, and the bounding box must be the selection.
 */
export function outputCoverageDefect(
  projection: IndexProjection,
  index: ZRange,
  reductionDims: ReadonlySet<number>,
  selection: ZRange,
): { code: "projection_mismatch" | "output_not_injective"; summary: string } | undefined {
  // Only the non-reduction points write: project the index with each reduction dimension cut to
  // its first point, so a reduction over an empty dimension (a sum of nothing) still covers its output.
  const writers = ZRange.unsafe(
    index.start.toArray(),
    index.end.coords.map((e, d) => (reductionDims.has(d) ? index.start.coords[d]! + 1 : e)),
  );
  const image = projection.applyRange(writers);
  const bothEmpty = image.isEmpty() && selection.isEmpty() && image.rank === selection.rank;
  if (!image.equals(selection) && !bothEmpty) {
    return {
      code: "projection_mismatch",
      summary: `the output projection of the index range is ${image}, but the output selection is ${selection}`,
    };
  }
  if (bothEmpty) return undefined;
  const extents = index.shape.coords;
  const byRow = new Map<number, { dim: number; step: number }[]>();
  for (let d = 0; d < index.rank; d++) {
    const column = projection.map.column(d);
    const moved = column.flatMap((a, r) => (a === 0 ? [] : [r]));
    if (reductionDims.has(d)) {
      if (moved.length > 0) {
        return { code: "output_not_injective", summary: `the output moves along reduction dimension ${d}` };
      }
      continue;
    }
    if (extents[d]! <= 1) continue;
    const row = moved[0];
    if (moved.length !== 1 || row === undefined) {
      return {
        code: "output_not_injective",
        summary: `index dimension ${d} moves ${moved.length} output dimensions; it must move exactly one`,
      };
    }
    const list = byRow.get(row) ?? [];
    list.push({ dim: d, step: Math.abs(column[row]!) });
    byRow.set(row, list);
  }
  for (const [row, dims] of byRow) {
    dims.sort((a, b) => a.step - b.step);
    let expected = projection.shape.coords[row]!;
    for (const { dim, step } of dims) {
      if (step !== expected) {
        return {
          code: "output_not_injective",
          summary: `index dimension ${dim} steps output dimension ${row} by ${step} where ${expected} is needed: boxes would ${step < expected ? "overlap" : "leave gaps"}`,
        };
      }
      expected = step * extents[dim]!;
    }
  }
  return undefined;
}

/** Records coverage issues for every output of an operation whose signature is absolute. */
export function checkOutputCoverage(
  sig: Signature,
  outputs: ReadonlyMap<string, ZRange>,
  path: string,
  issues: IssueCollector,
): void {
  const reductions = new Set(sig.reductions.map((r) => r.dim));
  for (const [name, out] of Object.entries(sig.outputs)) {
    const selection = outputs.get(name);
    if (selection === undefined) continue;
    const defect = outputCoverageDefect(out.projection, sig.index, reductions, selection);
    if (defect !== undefined) {
      issues.add(
        defect.code,
        pointer(pointer(pointer(path, "signature"), "outputs"), name),
        `output '${name}': ${defect.summary}`,
        {
          operand: name,
        },
      );
    }
  }
}

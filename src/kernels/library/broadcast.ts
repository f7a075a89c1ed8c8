import type { IssueCollector } from "../../base/issue.js";
import { inputPath, unitRow, zeroRow } from "./operands.js";

/** An operand's name and shape as broadcasting sees them. */
export interface NamedShape {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * The numpy broadcast of `operands`' shapes: right-aligned, each dimension taking the one size
 * other than 1 (1 when all are 1). Records `shape_mismatch` at each operand whose size differs
 * from the first non-1 size in a dimension, naming both operands' own dimension numbers:
 * `broadcastShapes([{name: "a", shape: [2, 4]}, {name: "b", shape: [3]}], ...)` reports
 * "input b dimension 0 (size 3) does not broadcast against input a dimension 1 (size 4)".
 */
export function broadcastShapes(
  operands: readonly NamedShape[],
  issues: IssueCollector,
  opPath: string,
): number[] | undefined {
  const rank = Math.max(0, ...operands.map((o) => o.shape.length));
  const out = new Array<number>(rank).fill(1);
  let ok = true;
  for (let d = 0; d < rank; d++) {
    let ref: { name: string; dim: number; size: number } | undefined;
    for (const o of operands) {
      const dim = d - (rank - o.shape.length);
      const size = o.shape[dim];
      if (dim < 0 || size === undefined || size === 1) continue;
      if (ref === undefined) {
        ref = { name: o.name, dim, size };
        out[d] = size;
      } else if (size !== ref.size) {
        ok = false;
        issues.add(
          "shape_mismatch",
          inputPath(opPath, o.name),
          `input ${o.name} dimension ${dim} (size ${size}) does not broadcast against input ${ref.name} dimension ${ref.dim} (size ${ref.size}): sizes must be equal or one of them 1`,
          { input: o.name, dim, found: size, against: ref.name, againstDim: ref.dim, expected: ref.size },
        );
      }
    }
  }
  return ok ? out : undefined;
}

/**
 * The affine-map rows that read an operand of `shape` broadcast to `target`, for an index of
 * rank `indexRank` whose columns `firstColumn..` are the target's dimensions. A dimension of size
 * 1 stretched to another size gets a zero row: every index point reads its one element.
 */
export function broadcastRows(
  shape: readonly number[],
  target: readonly number[],
  indexRank: number,
  firstColumn = 0,
): number[][] {
  const lead = target.length - shape.length;
  return shape.map((size, r) =>
    size === 1 && target[lead + r] !== 1 ? zeroRow(indexRank) : unitRow(firstColumn + lead + r, indexRank),
  );
}

// outputCoverageDefect: does an output projection write each element of its selection exactly
// once as the non-reduction points of the index range go by? One row per rule.
import { describe, expect, it } from "vitest";
import { outputCoverageDefect } from "../../src/ir/index.js";
import { IndexProjection, ZAffineMap, ZPoint, ZRange } from "../../src/zspace/index.js";

const box = (start: number[], end: number[]) => ZRange.fromBounds(start, end);
const points = (matrix: number[][], offset?: number[]) =>
  IndexProjection.pointwise(ZAffineMap.fromMatrix(matrix, offset));

interface Row {
  readonly rule: string;
  readonly projection: IndexProjection;
  readonly index: ZRange;
  readonly reductions?: readonly number[];
  readonly selection: ZRange;
  /** Undefined: written exactly once. Otherwise the code and a phrase of the summary. */
  readonly defect?: { readonly code: "projection_mismatch" | "output_not_injective"; readonly says: string };
}

const rows: readonly Row[] = [
  {
    rule: "the identity writes its own index range",
    projection: IndexProjection.identity(2),
    index: box([0, 0], [3, 4]),
    selection: box([0, 0], [3, 4]),
  },
  {
    rule: "a translated identity writes a selection away from the origin",
    projection: IndexProjection.identity(2).translate(ZPoint.from([10, -2])),
    index: box([0, 0], [3, 4]),
    selection: box([10, -2], [13, 2]),
  },
  {
    rule: "a reduction dimension (matmul's k) does not move the output",
    projection: IndexProjection.pointwise(ZAffineMap.projection([0, 1], 3)),
    index: box([0, 0, 0], [2, 3, 4]),
    reductions: [2],
    selection: box([0, 0], [2, 3]),
  },
  {
    rule: "a mixed radix writes once: grouped conv's channel 3·g + ocg over g < 2, ocg < 3",
    projection: points([[3, 1]]),
    index: box([0, 0], [2, 3]),
    selection: box([0], [6]),
  },
  {
    rule: "boxes of extent 2 stepping by 2 sit side by side",
    projection: IndexProjection.of(ZAffineMap.fromMatrix([[2]]), [2]),
    index: box([0], [3]),
    selection: box([0], [6]),
  },
  {
    rule: "a reversal (step -1) still writes each element once",
    projection: points([[-1]], [2]),
    index: box([0], [3]),
    selection: box([0], [3]),
  },
  {
    rule: "an index dimension of extent 1 need not move the output",
    projection: IndexProjection.pointwise(ZAffineMap.projection([0], 2)),
    index: box([0, 0], [3, 1]),
    selection: box([0], [3]),
  },
  {
    rule: "an empty selection is written exactly once by an empty index range, wherever it sits",
    projection: IndexProjection.identity(2),
    index: box([0, 0], [0, 4]),
    selection: box([5, 0], [5, 4]),
  },
  {
    rule: "a reduction over an empty dimension (a sum of nothing) still writes the whole output",
    projection: IndexProjection.pointwise(ZAffineMap.projection([0], 2)),
    index: box([0, 0], [3, 0]),
    reductions: [1],
    selection: box([0], [3]),
  },
  {
    rule: "a projection landing beside the selection is a mismatch",
    projection: points([[1]], [1]),
    index: box([0], [5]),
    selection: box([0], [5]),
    defect: { code: "projection_mismatch", says: "is [1:6), but the output selection is [0:5)" },
  },
  {
    rule: "a broken radix whose boxes overlap (3·g written as 2·g)",
    projection: points([[2, 1]]),
    index: box([0, 0], [2, 3]),
    selection: box([0], [5]),
    defect: {
      code: "output_not_injective",
      says: "steps output dimension 0 by 2 where 3 is needed: boxes would overlap",
    },
  },
  {
    rule: "a broken radix that leaves gaps (3·g written as 4·g)",
    projection: points([[4, 1]]),
    index: box([0, 0], [2, 3]),
    selection: box([0], [7]),
    defect: { code: "output_not_injective", says: "by 4 where 3 is needed: boxes would leave gaps" },
  },
  {
    rule: "boxes of extent 2 stepping by 1 overlap",
    projection: IndexProjection.of(ZAffineMap.fromMatrix([[1]]), [2]),
    index: box([0], [3]),
    selection: box([0], [4]),
    defect: { code: "output_not_injective", says: "by 1 where 2 is needed: boxes would overlap" },
  },
  {
    rule: "an output that moves along a reduction dimension",
    projection: points([[1, 1]]),
    index: box([0, 0], [3, 2]),
    reductions: [1],
    selection: box([0], [3]),
    defect: { code: "output_not_injective", says: "moves along reduction dimension 1" },
  },
  {
    rule: "a non-reduction dimension that moves no output dimension (a broadcast write)",
    projection: IndexProjection.pointwise(ZAffineMap.projection([0], 2)),
    index: box([0, 0], [3, 2]),
    selection: box([0], [3]),
    defect: { code: "output_not_injective", says: "index dimension 1 moves 0 output dimensions" },
  },
  {
    rule: "an index dimension that moves two output dimensions (a diagonal)",
    projection: points([[1], [1]]),
    index: box([0], [3]),
    selection: box([0, 0], [3, 3]),
    defect: { code: "output_not_injective", says: "index dimension 0 moves 2 output dimensions" },
  },
];

describe("outputCoverageDefect", () => {
  it.each(rows)("$rule", ({ projection, index, reductions, selection, defect }) => {
    const found = outputCoverageDefect(projection, index, new Set(reductions ?? []), selection);
    if (defect === undefined) {
      expect(found).toBeUndefined();
    } else {
      expect(found?.code).toBe(defect.code);
      expect(found?.summary).toContain(defect.says);
    }
  });
});

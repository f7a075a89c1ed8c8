import fc from "fast-check";
import { ZRange } from "../../src/zspace/z-range.js";

/** A range of rank 1–4 with small extents, and a box inside it (often spanning whole trailing dimensions). */
export const rangeAndBox = fc
  .array(fc.tuple(fc.integer({ min: -2, max: 2 }), fc.integer({ min: 1, max: 5 })), {
    minLength: 1,
    maxLength: 4,
  })
  .chain((dims) =>
    fc
      .tuple(
        ...dims.map(([, n]) =>
          fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: n }), fc.boolean()),
        ),
      )
      .map((cuts) => {
        const range = ZRange.fromBounds(
          dims.map(([lo]) => lo),
          dims.map(([lo, n]) => lo + n),
        );
        const start = cuts.map(([a, , whole], d) => (whole ? dims[d]![0] : dims[d]![0] + a));
        const end = cuts.map(([a, b, whole], d) =>
          whole ? dims[d]![0] + dims[d]![1] : dims[d]![0] + Math.min(dims[d]![1], a + b),
        );
        return { range, box: ZRange.fromBounds(start, end) };
      }),
  );

import { describe, expect, it } from "vitest";
import { formatSummary, summarizeTensor } from "../../src/exec/index.js";
import { tensor } from "./tensor-values.js";

describe("summarizeTensor", () => {
  it("reports shape, dtype, sum, min, max and the first values, skipping non-finite ones", () => {
    const s = summarizeTensor(tensor([2, 3], [1, -2, Number.NaN, 4, Number.POSITIVE_INFINITY, 0.5]), 4);
    expect(s).toMatchObject({ dtype: "float32", shape: [2, 3], sum: 3.5, min: -2, max: 4, nonFinite: 2 });
    expect(s.first).toEqual([1, -2, Number.NaN, 4]);
    expect(s.checksum).toMatch(/^[0-9a-f]{8}$/);
  });

  it("the checksum is a function of dtype and bytes: equal values agree, any change disagrees", () => {
    const base = summarizeTensor(tensor([3], [1, 2, 3])).checksum;
    expect(summarizeTensor(tensor([3], [1, 2, 3])).checksum).toBe(base);
    expect(summarizeTensor(tensor([3], [1, 2, 3.0000002])).checksum).not.toBe(base);
    expect(summarizeTensor(tensor([3], [1, 2, 3], "float64")).checksum).not.toBe(base);
  });
});

describe("formatSummary", () => {
  it("prints one line: id, dtype, shape, statistics, checksum and first values", () => {
    const s = summarizeTensor(tensor([2], [0.25, 3], "float64"));
    expect(formatSummary("y", s)).toBe(
      `y  float64 [2]  sum=3.25000 min=0.250000 max=3 checksum=${s.checksum}  first: 0.250000, 3`,
    );
  });

  it("counts non-finite values only when there are some", () => {
    const line = formatSummary("z", summarizeTensor(tensor([2], [Number.NaN, 1])));
    expect(line).toContain("non-finite=1");
    expect(formatSummary("z", summarizeTensor(tensor([1], [1])))).not.toContain("non-finite");
  });
});

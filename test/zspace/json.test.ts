import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/base/index.js";
import { IndexProjection, ZAffineMap, ZPoint, ZRange } from "../../src/zspace/index.js";
import { affineMap, point, projection, range } from "./arbitraries.js";
import { expectIssues } from "./expect-error.js";

/** Serializes through JSON text, as a file or a message would. */
const throughText = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("JSON round-trip: toJSON → stringify → parse → fromJSON is the identity", () => {
  it("for ZPoint", () => {
    fc.assert(
      fc.property(point(), (p) => {
        expect(ZPoint.fromJSON(throughText(p)).equals(p)).toBe(true);
      }),
    );
  });

  it("for ZRange, including empty, scalar and negative-origin ranges", () => {
    fc.assert(
      fc.property(range(), (a) => {
        expect(ZRange.fromJSON(throughText(a)).equals(a)).toBe(true);
      }),
    );
  });

  it("for ZAffineMap, including maps with no rows or no columns", () => {
    fc.assert(
      fc.property(affineMap(), (m) => {
        expect(ZAffineMap.fromJSON(throughText(m)).equals(m)).toBe(true);
      }),
    );
  });

  it("for IndexProjection", () => {
    fc.assert(
      fc.property(projection(), (p) => {
        expect(IndexProjection.fromJSON(throughText(p)).equals(p)).toBe(true);
      }),
    );
  });
});

describe("JSON forms", () => {
  it("a point is an array of integers", () => {
    expect(JSON.stringify(ZPoint.of(1, -2))).toBe("[1,-2]");
  });

  it("a range is {start, end}", () => {
    expect(JSON.stringify(ZRange.fromBounds([0, -1], [2, 3]))).toBe('{"start":[0,-1],"end":[2,3]}');
    expect(JSON.stringify(ZRange.scalar())).toBe('{"start":[],"end":[]}');
  });

  it("an affine map is {matrix, offset, inRank}", () => {
    expect(ZAffineMap.fromMatrix([[1, 0]], [3]).toJSON()).toEqual({
      matrix: [[1, 0]],
      offset: [3],
      inRank: 2,
    });
  });

  it("an index projection is {map, shape}", () => {
    expect(IndexProjection.identity(1).toJSON()).toEqual({
      map: { matrix: [[1]], offset: [0], inRank: 1 },
      shape: [1],
    });
  });

  it("toJSON returns copies: mutating them does not change the value", () => {
    const m = ZAffineMap.identity(2);
    m.toJSON().matrix[0]![0] = 9;
    expect(m.isIdentity()).toBe(true);
  });

  it("an affine map's offset defaults to zeros and inRank to the row length", () => {
    expect(ZAffineMap.fromJSON({ matrix: [[1, 2]] }).equals(ZAffineMap.fromMatrix([[1, 2]], [0]))).toBe(true);
  });
});

describe("decoding collects every problem, each with a code and a JSON pointer", () => {
  it("reports end_before_start at /end/1 for {start: [0, 4], end: [1, 2]}", () => {
    const [i] = expectIssues(
      () => ZRange.fromJSON({ start: [0, 4], end: [1, 2] }),
      [{ code: "end_before_start", path: "/end/1" }],
    );
    expect(i!.context).toEqual({ dim: 1, start: 4, end: 2 });
    expect(i!.summary).toBe("range ends before it starts in dimension 1: start 4, end 2");
  });

  it("reports every bad dimension, not just the first", () => {
    expectIssues(
      () => ZRange.fromJSON({ start: [5, 0, 5], end: [1, 2, 3] }),
      [
        { code: "end_before_start", path: "/end/0" },
        { code: "end_before_start", path: "/end/2" },
      ],
    );
  });

  it("reports problems in start and end together", () => {
    expectIssues(
      () => ZRange.fromJSON({ start: [0, "1"], end: [null, 2] }),
      [
        { code: "not_integer", path: "/start/1" },
        { code: "not_integer", path: "/end/0" },
      ],
    );
  });

  it("reports both missing fields of a range", () => {
    expectIssues(
      () => ZRange.fromJSON({}),
      [
        { code: "missing_field", path: "/start" },
        { code: "missing_field", path: "/end" },
      ],
    );
  });

  it("reports a bad offset and a bad matrix of an affine map together", () => {
    expectIssues(
      () => ZAffineMap.fromJSON({ matrix: [[1, "x"]], offset: ["y"] }),
      [
        { code: "not_integer", path: "/offset/0" },
        { code: "not_integer", path: "/matrix/0/1" },
      ],
    );
  });

  it("reports every ragged row", () => {
    expectIssues(
      () => ZAffineMap.fromJSON({ matrix: [[1, 0], [1], [1, 0, 0]] }),
      [
        { code: "ragged_matrix", path: "/matrix/1" },
        { code: "ragged_matrix", path: "/matrix/2" },
      ],
    );
  });

  it("prefixes paths with the base path given to fromJSON", () => {
    expectIssues(
      () => ZRange.fromJSON({ start: [0], end: [-1] }, "/operations/3/range"),
      [{ code: "end_before_start", path: "/operations/3/range/end/0" }],
    );
    expectIssues(
      () => IndexProjection.fromJSON({ map: { matrix: [[1]] }, shape: [-1] }, "/ipf"),
      [{ code: "negative_extent", path: "/ipf/shape/0" }],
    );
  });

  it("names the kind of value in the error summary", () => {
    expect(() => ZRange.fromJSON({ start: [0, 4], end: [1, 2] })).toThrow(ValidationError);
    expect(() => ZRange.fromJSON({ start: [0, 4], end: [1, 2] })).toThrow(
      /^invalid range: range ends before/,
    );
    expect(() => ZRange.fromJSON({ start: [5, 5], end: [1, 2] })).toThrow("invalid range: 2 issues");
    expect(() => ZPoint.fromJSON("x")).toThrow(/^invalid point: /);
    expect(() => ZAffineMap.fromJSON(1)).toThrow(/^invalid affine map: /);
    expect(() => IndexProjection.fromJSON(1)).toThrow(/^invalid index projection: /);
  });
});

describe("coordinates beyond ±(2^53 - 1) are rejected", () => {
  it.each([
    ["2^53", 2 ** 53],
    ["-2^53", -(2 ** 53)],
    ["1e300", 1e300],
    ["a value JSON.parse rounded", JSON.parse("9007199254740993") as number],
  ])("%s in a point is not_integer at its index", (_, v) => {
    expectIssues(() => ZPoint.fromJSON([0, v]), [{ code: "not_integer", path: "/1" }]);
  });

  it("±(2^53 - 1) are accepted as coordinates", () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(ZRange.fromJSON({ start: [-max], end: [-max + 3] }).toJSON()).toEqual({
      start: [-max],
      end: [-max + 3],
    });
    expect(ZRange.fromJSON({ start: [max - 3], end: [max] }).size).toBe(3);
  });

  it("a range whose extent or size exceeds 2^53 - 1 is coordinate_overflow at the range", () => {
    const max = Number.MAX_SAFE_INTEGER;
    expectIssues(
      () => ZRange.fromJSON({ start: [-max], end: [max] }, "/r"),
      [{ code: "coordinate_overflow", path: "/r" }],
    );
    expectIssues(
      () => ZRange.fromJSON({ start: [0, 0], end: [2 ** 30, 2 ** 30] }, "/r"),
      [{ code: "coordinate_overflow", path: "/r" }],
    );
    expect(ZRange.fromJSON({ start: [0, 0, 0], end: [2 ** 30, 2 ** 30, 0] }).size).toBe(0);
  });

  it("an out-of-range matrix entry is not_integer at its row and column", () => {
    expectIssues(
      () =>
        ZAffineMap.fromJSON({
          matrix: [
            [0, 0],
            [0, 2 ** 60],
          ],
        }),
      [{ code: "not_integer", path: "/matrix/1/1" }],
    );
  });
});

// Sharding as a specification: an operation is cut by any grid over its index range, even or
// uneven, and every shard's regions follow from the signature's projections alone.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { program, type TensorRef } from "../../src/frontend/index.js";
import type { Operation } from "../../src/ir/index.js";
import { parseProgram } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { RESHAPE_UNSHARDABLE } from "../../src/kernels/library/reshape.js";
import {
  combineGeometry,
  gridSharding,
  type ShardGeometry,
  scatterCombines,
  shardCount,
  shardGeometry,
  wholeSharding,
} from "../../src/shard/index.js";
import { type DimSplit, tiles } from "../../src/zspace/index.js";
import { expectTesseraError } from "../zspace/expect-error.js";

/** The one operation of a program built by `body`. */
function singleOp(body: (p: ReturnType<typeof program>) => TensorRef): Operation {
  const p = program("single");
  p.output("y", body(p));
  const built = p.build();
  expect(built.operations).toHaveLength(1);
  return built.operations[0]!;
}

/** The shards of `op` under `splits`, with every region printed `[a:b, c:d)`. */
function cut(op: Operation, splits: readonly DimSplit[]) {
  const shards = shardGeometry(op, gridSharding(op, splits));
  const show = (s: ShardGeometry) => ({
    range: String(s.range),
    inputs: Object.fromEntries(Object.entries(s.inputs).map(([k, v]) => [k, String(v)])),
    outputs: Object.fromEntries(Object.entries(s.outputs).map(([k, v]) => [k, String(v)])),
    partial: s.partial,
    block: s.block,
  });
  return { shards, shown: shards.map(show), combines: combineGeometry(op, shards) };
}

// a [10, 6] · b [6, 8]: index (m, n, k) = [10, 8, 6], k a sum reduction.
const matmul = singleOp((p) => p.matmul(p.input("a", [10, 6]), p.input("b", [6, 8]), { id: "mm" }));

describe("matmul a[10,6] · b[6,8], index (m, n, k) = [10, 8, 6]", () => {
  it("names its index dimensions m, n, k", () => {
    expect(matmul.signature.indexNames).toEqual(["m", "n", "k"]);
    expect(String(matmul.index)).toBe("[0:10, 0:8, 0:6)");
  });

  it.each<[string, DimSplit[], { range: string; a: string; b: string; out: string }[]]>([
    [
      "m in 3 (10 = 4/3/3): row blocks of a and out, all of b",
      [{ dim: 0, parts: 3 }],
      [
        { range: "[0:4, 0:8, 0:6)", a: "[0:4, 0:6)", b: "[0:6, 0:8)", out: "[0:4, 0:8)" },
        { range: "[4:7, 0:8, 0:6)", a: "[4:7, 0:6)", b: "[0:6, 0:8)", out: "[4:7, 0:8)" },
        { range: "[7:10, 0:8, 0:6)", a: "[7:10, 0:6)", b: "[0:6, 0:8)", out: "[7:10, 0:8)" },
      ],
    ],
    [
      "n in 3 (8 = 3/3/2): column blocks of b and out, all of a",
      [{ dim: 1, parts: 3 }],
      [
        { range: "[0:10, 0:3, 0:6)", a: "[0:10, 0:6)", b: "[0:6, 0:3)", out: "[0:10, 0:3)" },
        { range: "[0:10, 3:6, 0:6)", a: "[0:10, 0:6)", b: "[0:6, 3:6)", out: "[0:10, 3:6)" },
        { range: "[0:10, 6:8, 0:6)", a: "[0:10, 0:6)", b: "[0:6, 6:8)", out: "[0:10, 6:8)" },
      ],
    ],
    [
      "m at uneven cuts 1 and 9 (1/8/1)",
      [{ dim: 0, cuts: [1, 9] }],
      [
        { range: "[0:1, 0:8, 0:6)", a: "[0:1, 0:6)", b: "[0:6, 0:8)", out: "[0:1, 0:8)" },
        { range: "[1:9, 0:8, 0:6)", a: "[1:9, 0:6)", b: "[0:6, 0:8)", out: "[1:9, 0:8)" },
        { range: "[9:10, 0:8, 0:6)", a: "[9:10, 0:6)", b: "[0:6, 0:8)", out: "[9:10, 0:8)" },
      ],
    ],
    [
      "k in 4 (6 = 2/2/1/1): a's columns and b's rows, each shard a partial of all of out",
      [{ dim: 2, parts: 4 }],
      [
        { range: "[0:10, 0:8, 0:2)", a: "[0:10, 0:2)", b: "[0:2, 0:8)", out: "[0:10, 0:8)" },
        { range: "[0:10, 0:8, 2:4)", a: "[0:10, 2:4)", b: "[2:4, 0:8)", out: "[0:10, 0:8)" },
        { range: "[0:10, 0:8, 4:5)", a: "[0:10, 4:5)", b: "[4:5, 0:8)", out: "[0:10, 0:8)" },
        { range: "[0:10, 0:8, 5:6)", a: "[0:10, 5:6)", b: "[5:6, 0:8)", out: "[0:10, 0:8)" },
      ],
    ],
  ])("split %s", (_, splits, expected) => {
    const { shown, shards } = cut(matmul, splits);
    expect(shown.map((s) => ({ range: s.range, a: s.inputs.a, b: s.inputs.b, out: s.outputs.out }))).toEqual(
      expected,
    );
    expect(shards.map((s) => s.shard)).toEqual(expected.map((_, k) => k));
    expect(
      tiles(
        shards.map((s) => s.range),
        matmul.index,
      ),
    ).toBe(true);
  });

  it("splitting m or n makes whole outputs that tile out, and no combine", () => {
    for (const splits of [[{ dim: 0, parts: 3 }], [{ dim: 1, parts: 2 }], [{ dim: 0, cuts: [2, 3] }]]) {
      const { shards, combines } = cut(matmul, splits);
      expect(shards.every((s) => !s.partial)).toBe(true);
      expect(combines).toEqual([]);
      expect(
        tiles(
          shards.map((s) => s.outputs.out!),
          matmul.outputs[0]!.range,
        ),
      ).toBe(true);
    }
  });

  it("splitting k makes partial outputs and one combine that folds them with sum", () => {
    const { shards, combines } = cut(matmul, [{ dim: 2, parts: 3 }]);
    expect(shards.map((s) => [s.partial, s.block])).toEqual([
      [true, 0],
      [true, 0],
      [true, 0],
    ]);
    expect(combines).toHaveLength(1);
    expect(combines[0]).toMatchObject({ op: "mm", block: 0, monoid: "sum", parts: [0, 1, 2] });
    expect(String(combines[0]!.outputs.out)).toBe("[0:10, 0:8)");
  });

  it("a 2×3 grid on m and k makes two output blocks, each folding its own three partials", () => {
    const { shards, combines } = cut(matmul, [
      { dim: 0, parts: 2 },
      { dim: 2, parts: 3 },
    ]);
    expect(
      shardCount(
        gridSharding(matmul, [
          { dim: 0, parts: 2 },
          { dim: 2, parts: 3 },
        ]),
      ),
    ).toBe(6);
    expect(shards.map((s) => s.block)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(combines.map((c) => ({ block: c.block, parts: c.parts, out: String(c.outputs.out) }))).toEqual([
      { block: 0, parts: [0, 1, 2], out: "[0:5, 0:8)" },
      { block: 1, parts: [3, 4, 5], out: "[5:10, 0:8)" },
    ]);
  });

  it("reduce-scattered, each block's partials fold in n chunks of its longest dimension, chunk j owned by part j", () => {
    const { combines } = cut(matmul, [
      { dim: 0, parts: 2 },
      { dim: 2, parts: 3 },
    ]);
    // Blocks [0:5, 0:8) and [5:10, 0:8): the longest dimension is n (8), cut 3/3/2.
    expect(
      scatterCombines(combines).map((c) => ({
        block: c.block,
        chunk: c.chunk,
        owner: c.owner,
        out: String(c.outputs.out),
      })),
    ).toEqual([
      { block: 0, chunk: 0, owner: 0, out: "[0:5, 0:3)" },
      { block: 0, chunk: 1, owner: 1, out: "[0:5, 3:6)" },
      { block: 0, chunk: 2, owner: 2, out: "[0:5, 6:8)" },
      { block: 1, chunk: 0, owner: 3, out: "[5:10, 0:3)" },
      { block: 1, chunk: 1, owner: 4, out: "[5:10, 3:6)" },
      { block: 1, chunk: 2, owner: 5, out: "[5:10, 6:8)" },
    ]);
    // Gathered, a block's step runs on its first part.
    expect(combines.map((c) => [c.owner, c.chunk])).toEqual([
      [0, undefined],
      [3, undefined],
    ]);
  });

  it("resolves the boundaries of each dimension, whole when not split", () => {
    const sharding = gridSharding(matmul, [
      { dim: 2, cuts: [1] },
      { dim: 0, parts: 3 },
    ]);
    expect(sharding).toMatchObject({
      op: "mm",
      boundaries: [
        [0, 4, 7, 10],
        [0, 8],
        [0, 1, 6],
      ],
    });
    expect(shardCount(sharding)).toBe(6);
    expect(shardCount(wholeSharding(matmul))).toBe(1);
  });
});

describe("an uneven split of a reduction: a[4,10] · b[10,5] with k in 3 (4/3/3)", () => {
  const op = singleOp((p) => p.matmul(p.input("a", [4, 10]), p.input("b", [10, 5]), { id: "mm" }));

  it("cuts a's columns and b's rows 4/3/3 and folds three partials of the whole output", () => {
    const { shown, combines } = cut(op, [{ dim: 2, parts: 3 }]);
    expect(shown.map((s) => [s.inputs.a, s.inputs.b, s.outputs.out, s.partial])).toEqual([
      ["[0:4, 0:4)", "[0:4, 0:5)", "[0:4, 0:5)", true],
      ["[0:4, 4:7)", "[4:7, 0:5)", "[0:4, 0:5)", true],
      ["[0:4, 7:10)", "[7:10, 0:5)", "[0:4, 0:5)", true],
    ]);
    expect(combines.map((c) => [c.parts, String(c.outputs.out)])).toEqual([[[0, 1, 2], "[0:4, 0:5)"]]);
  });
});

describe("conv2d: spatial shards read overlapping input rows (halos)", () => {
  // x [1, 1, 12, 12], one 1-channel filter of height kh; split the output rows oh in two.
  // Shard 0 ends at output row a, shard 1 starts there: rows a·s − p .. (a−1)·s − p + field of x
  // are read by both, so the halo is field − stride rows (a gap when negative).
  it.each([
    // kh, stride, dilation, padding, x rows of shard 0, x rows of shard 1, overlap
    [3, 1, 1, 1, "0:7", "5:12", 2],
    [3, 2, 1, 1, "0:6", "5:12", 1],
    [3, 1, 2, 2, "0:8", "4:12", 4],
    [2, 2, 1, 0, "0:6", "6:12", 0],
    [1, 3, 1, 0, "0:4", "6:10", -2],
  ])(
    "kh %i, stride %i, dilation %i, padding %i: rows %s and %s overlap by %i",
    (kh, s, d, pad, r0, r1, overlap) => {
      const op = singleOp((p) =>
        p.conv2d(
          p.input("x", [1, 1, 12, 12]),
          p.input("w", [1, 1, kh, 1]),
          { stride: [s, 1], dilation: [d, 1], padding: [pad, 0] },
          { id: "conv" },
        ),
      );
      expect(op.signature.indexNames).toEqual(["n", "g", "ocg", "oh", "ow", "icg"]);
      const { shards } = cut(op, [{ dim: 3, parts: 2 }]);
      const rows = shards.map((sh) => {
        const x = sh.inputs.x!;
        return `${x.start.coords[2]}:${x.end.coords[2]}`;
      });
      expect(rows).toEqual([r0, r1]);
      const field = d * (kh - 1) + 1;
      expect(overlap).toBe(field - s);
      const [x0, x1] = [shards[0]!.inputs.x!, shards[1]!.inputs.x!];
      expect(x0.end.coords[2]! - x1.start.coords[2]!).toBe(overlap);
      // The filter is read whole by both; the outputs do not overlap at all.
      const filter = `[0:1, 0:1, 0:${kh}, 0:1)`;
      expect(shards.map((sh) => String(sh.inputs.w))).toEqual([filter, filter]);
      expect(shards[0]!.outputs.out!.intersects(shards[1]!.outputs.out!)).toBe(false);
    },
  );

  it("a 2×2 spatial grid overlaps along both rows and columns, the corner read by all four", () => {
    const op = singleOp((p) =>
      p.conv2d(p.input("x", [1, 2, 8, 8]), p.input("w", [3, 2, 3, 3]), { padding: [1, 1] }, { id: "conv" }),
    );
    const { shown, shards } = cut(op, [
      { dim: 3, parts: 2 },
      { dim: 4, parts: 2 },
    ]);
    expect(shown.map((s) => s.inputs.x)).toEqual([
      "[0:1, 0:2, 0:5, 0:5)",
      "[0:1, 0:2, 0:5, 3:8)",
      "[0:1, 0:2, 3:8, 0:5)",
      "[0:1, 0:2, 3:8, 3:8)",
    ]);
    const common = shards.map((s) => s.inputs.x!).reduce((a, b) => a.intersect(b));
    expect(String(common)).toBe("[0:1, 0:2, 3:5, 3:5)");
    expect(
      tiles(
        shards.map((s) => s.outputs.out!),
        op.outputs[0]!.range,
      ),
    ).toBe(true);
  });

  it("a padding-only row reads nothing: its region of x is empty, not out of range", () => {
    // kh 1, padding 1: output row 0 reads x row −1, which is padding.
    const op = singleOp((p) =>
      p.conv2d(p.input("x", [1, 1, 4, 4]), p.input("w", [1, 1, 1, 1]), { padding: [1, 0] }, { id: "conv" }),
    );
    const { shards } = cut(op, [{ dim: 3, cuts: [1] }]);
    expect(shards[0]!.inputs.x!.isEmpty()).toBe(true);
    expect(String(shards[1]!.inputs.x)).toBe("[0:1, 0:1, 0:4, 0:4)");
  });

  it("splitting input channels (icg) makes disjoint channel blocks and partial sums", () => {
    const op = singleOp((p) =>
      p.conv2d(p.input("x", [1, 4, 6, 6]), p.input("w", [2, 4, 3, 3]), {}, { id: "conv" }),
    );
    const { shown, combines } = cut(op, [{ dim: 5, parts: 2 }]);
    expect(shown.map((s) => [s.inputs.x, s.inputs.w, s.outputs.out, s.partial])).toEqual([
      ["[0:1, 0:2, 0:6, 0:6)", "[0:2, 0:2, 0:3, 0:3)", "[0:1, 0:2, 0:4, 0:4)", true],
      ["[0:1, 2:4, 0:6, 0:6)", "[0:2, 2:4, 0:3, 0:3)", "[0:1, 0:2, 0:4, 0:4)", true],
    ]);
    expect(combines.map((c) => [c.monoid, c.parts])).toEqual([["sum", [0, 1]]]);
  });

  it("splitting groups gives each shard its own channels of x, w and out", () => {
    const op = singleOp((p) =>
      p.conv2d(p.input("x", [1, 4, 5, 5]), p.input("w", [4, 2, 3, 3]), { groups: 2 }, { id: "conv" }),
    );
    const { shown } = cut(op, [{ dim: 1, parts: 2 }]);
    expect(shown.map((s) => [s.inputs.x, s.inputs.w, s.outputs.out, s.partial])).toEqual([
      ["[0:1, 0:2, 0:5, 0:5)", "[0:2, 0:2, 0:3, 0:3)", "[0:1, 0:2, 0:3, 0:3)", false],
      ["[0:1, 2:4, 0:5, 0:5)", "[2:4, 0:2, 0:3, 0:3)", "[0:1, 2:4, 0:3, 0:3)", false],
    ]);
  });
});

describe("grouped conv2d: output channel g·OCg + ocg is a mixed radix over two index dimensions", () => {
  // x [1, 4, 5, 5], w [4, 2, 3, 3], 2 groups: index (n, g, ocg, oh, ow, icg) = [1, 2, 2, 3, 3, 2].
  const op = singleOp((p) =>
    p.conv2d(p.input("x", [1, 4, 5, 5]), p.input("w", [4, 2, 3, 3]), { groups: 2 }, { id: "conv" }),
  );

  it("cutting ocg while a shard spans both groups is refused: its outputs would be channels {0, 2}, not a box", () => {
    const error = expectTesseraError(() => gridSharding(op, [{ dim: 2, parts: 2 }]), "invalid_split");
    expect(error.summary).toContain("operation 'conv' (conv2d), index dimension ocg: ");
    expect(error.summary).toContain("a piece of g spans several values");
    expect(error.summary).toContain("output 'out'");
    expect(error.context).toEqual({ op: "conv", dim: 2, outer: 1, output: "out" });
  });

  it("cutting ocg and g into single groups is accepted: each shard writes one output channel", () => {
    const { shown, shards } = cut(op, [
      { dim: 1, parts: 2 },
      { dim: 2, parts: 2 },
    ]);
    expect(shown.map((s) => s.outputs.out)).toEqual([
      "[0:1, 0:1, 0:3, 0:3)",
      "[0:1, 1:2, 0:3, 0:3)",
      "[0:1, 2:3, 0:3, 0:3)",
      "[0:1, 3:4, 0:3, 0:3)",
    ]);
    expect(
      tiles(
        shards.map((s) => s.outputs.out!),
        op.outputs[0]!.range,
      ),
    ).toBe(true);
  });

  it("cutting icg (a reduction) across both groups is accepted: partial outputs stay whole boxes", () => {
    const { shards, combines } = cut(op, [{ dim: 5, parts: 2 }]);
    expect(shards.every((s) => s.partial && String(s.outputs.out) === "[0:1, 0:4, 0:3, 0:3)")).toBe(true);
    expect(combines).toHaveLength(1);
  });

  it("with one group, ocg is the whole output channel and cuts freely", () => {
    const plain = singleOp((p) =>
      p.conv2d(p.input("x", [1, 2, 5, 5]), p.input("w", [4, 2, 3, 3]), {}, { id: "conv" }),
    );
    const { shown } = cut(plain, [{ dim: 2, cuts: [1] }]);
    expect(shown.map((s) => s.outputs.out)).toEqual(["[0:1, 0:1, 0:3, 0:3)", "[0:1, 1:4, 0:3, 0:3)"]);
  });
});

describe("softmax and layer_norm: no refusal, because the normalized dimensions are not in the index", () => {
  const softmax = singleOp((p) => p.softmax(p.input("x", [4, 10, 6]), { dim: 1 }, { id: "sm" }));

  it("softmax over dim 1 of x[4,10,6] has index d0 × d2 only", () => {
    expect(softmax.signature.indexNames).toEqual(["d0", "d2"]);
    expect(String(softmax.index)).toBe("[0:4, 0:6)");
  });

  it.each<[string, DimSplit[]]>([
    ["whole", []],
    ["d0 in 3", [{ dim: 0, parts: 3 }]],
    ["d2 at cuts 1, 5", [{ dim: 1, cuts: [1, 5] }]],
    [
      "every point its own shard",
      [
        { dim: 0, parts: 4 },
        { dim: 1, parts: 6 },
      ],
    ],
  ])("softmax split %s: every shard reads and writes whole lines along dim 1", (_, splits) => {
    const { shards, combines } = cut(softmax, splits);
    expect(combines).toEqual([]);
    for (const s of shards) {
      for (const region of [s.inputs.x!, s.outputs.out!]) {
        expect([region.start.coords[1], region.end.coords[1]]).toEqual([0, 10]);
      }
      expect(s.inputs.x!.equals(s.outputs.out!)).toBe(true);
    }
    expect(
      tiles(
        shards.map((s) => s.outputs.out!),
        softmax.outputs[0]!.range,
      ),
    ).toBe(true);
  });

  it("softmax has no index dimension to split the normalization: dimension 2 is out of bounds", () => {
    const error = expectTesseraError(
      () => gridSharding(softmax, [{ dim: 2, parts: 2 }]),
      "dimension_out_of_bounds",
    );
    expect(error.summary).toContain("'sm' (softmax)");
    expect(error.context.op).toBe("sm");
  });

  it("layer_norm over the last two dims of x[3,4,8] has index d0; weight and bias are read whole", () => {
    const op = singleOp((p) =>
      p.layerNorm(
        p.input("x", [3, 4, 8]),
        p.input("weight", [4, 8]),
        p.input("bias", [4, 8]),
        { normalizedDims: 2 },
        { id: "ln" },
      ),
    );
    expect(op.signature.indexNames).toEqual(["d0"]);
    const { shown } = cut(op, [{ dim: 0, parts: 3 }]);
    expect(shown.map((s) => [s.inputs.x, s.inputs.weight, s.inputs.bias, s.outputs.out])).toEqual([
      ["[0:1, 0:4, 0:8)", "[0:4, 0:8)", "[0:4, 0:8)", "[0:1, 0:4, 0:8)"],
      ["[1:2, 0:4, 0:8)", "[0:4, 0:8)", "[0:4, 0:8)", "[1:2, 0:4, 0:8)"],
      ["[2:3, 0:4, 0:8)", "[0:4, 0:8)", "[0:4, 0:8)", "[2:3, 0:4, 0:8)"],
    ]);
  });
});

describe("reductions: a split reduced dimension folds with the kernel's monoid", () => {
  it.each([
    ["sum", "sum"],
    ["max", "max"],
    ["min", "min"],
    ["mean", "sum"],
  ] as const)("%s over d1 of x[4,6], d1 in 3: three partials of out[4], folded by %s", (kernel, monoid) => {
    const op = singleOp((p) => p.apply(kernel, { x: p.input("x", [4, 6]) }, { dims: [1] }, { id: "r" }));
    const { shown, combines } = cut(op, [{ dim: 1, parts: 3 }]);
    expect(shown.map((s) => [s.inputs.x, s.outputs.out, s.partial])).toEqual([
      ["[0:4, 0:2)", "[0:4)", true],
      ["[0:4, 2:4)", "[0:4)", true],
      ["[0:4, 4:6)", "[0:4)", true],
    ]);
    expect(combines.map((c) => [c.monoid, c.parts, String(c.outputs.out)])).toEqual([
      [monoid, [0, 1, 2], "[0:4)"],
    ]);
  });

  it("splitting only the kept dimension of a reduction makes whole outputs and no combine", () => {
    const op = singleOp((p) => p.sum(p.input("x", [4, 6]), { dims: [1], keepdims: true }, { id: "r" }));
    const { shown, combines } = cut(op, [{ dim: 0, parts: 2 }]);
    expect(shown.map((s) => [s.outputs.out, s.partial])).toEqual([
      ["[0:2, 0:1)", false],
      ["[2:4, 0:1)", false],
    ]);
    expect(combines).toEqual([]);
  });

  it("a sum over every dimension of x[3,5] is a scalar; cutting both dims makes 6 partials of it", () => {
    const op = singleOp((p) => p.sum(p.input("x", [3, 5]), {}, { id: "total" }));
    const { shards, combines } = cut(op, [
      { dim: 0, parts: 3 },
      { dim: 1, parts: 2 },
    ]);
    expect(shards.every((s) => s.partial && s.block === 0 && s.outputs.out!.isScalar())).toBe(true);
    expect(combines.map((c) => c.parts)).toEqual([[0, 1, 2, 3, 4, 5]]);
  });

  it("a contraction over nothing still writes its whole output block (a sum of nothing is 0)", () => {
    const json = JSON.parse(
      readFileSync(new URL("../fixtures/ir/valid/empty-contraction.json", import.meta.url), "utf8"),
    );
    const op = parseProgram(json, builtinRegistry()).operations[0]!;
    expect(String(op.index)).toBe("[0:2, 0:3, 0:0)");
    expect(cut(op, []).shown.map((s) => [s.range, s.outputs.out, s.partial])).toEqual([
      ["[0:2, 0:3, 0:0)", "[0:2, 0:3)", false],
    ]);
    const rows = cut(op, [{ dim: 0, parts: 2 }]).shards;
    expect(rows.map((s) => String(s.outputs.out))).toEqual(["[0:1, 0:3)", "[1:2, 0:3)"]);
    expect(
      tiles(
        rows.map((s) => s.outputs.out!),
        op.outputs[0]!.range,
      ),
    ).toBe(true);
    expect(rows.every((s) => s.inputs.a!.isEmpty() && s.inputs.b!.isEmpty())).toBe(true);
  });
});

describe("refusals are typed and name the operation", () => {
  const reshape = singleOp((p) => p.reshape(p.input("x", [4, 6]), [6, 4], { id: "flat" }));

  it("reshape refuses any cut with `unshardable`, naming the operation, its kernel and the reason", () => {
    const error = expectTesseraError(() => gridSharding(reshape, [{ dim: 0, parts: 2 }]), "unshardable");
    expect(error.summary).toBe(`operation 'flat' (reshape) cannot be sharded: ${RESHAPE_UNSHARDABLE}`);
    expect(error.summary).toContain("not an affine projection");
    expect(error.context).toEqual({ op: "flat", kernel: "reshape", reason: RESHAPE_UNSHARDABLE });
  });

  it("reshape still runs whole: no splits, or a split into one part, is one shard", () => {
    expect(shardCount(wholeSharding(reshape))).toBe(1);
    expect(shardCount(gridSharding(reshape, [{ dim: 1, parts: 1 }]))).toBe(1);
    const [only] = shardGeometry(reshape, wholeSharding(reshape));
    expect(String(only!.inputs.x)).toBe("[0:4, 0:6)");
    expect(String(only!.outputs.out)).toBe("[0:6, 0:4)");
  });

  it.each<[string, DimSplit[], string, string]>([
    [
      "more parts than points",
      [{ dim: 2, parts: 7 }],
      "k",
      "dimension 2 is split into 7 parts, but the dimension size is 6",
    ],
    ["zero parts", [{ dim: 0, parts: 0 }], "m", "parts must be a positive integer, found 0"],
    ["fractional parts", [{ dim: 1, parts: 1.5 }], "n", "parts must be a positive integer, found 1.5"],
    ["descending cuts", [{ dim: 1, cuts: [5, 3] }], "n", "ascending strictly inside (0, 8)"],
    ["a cut on the boundary", [{ dim: 1, cuts: [8] }], "n", "ascending strictly inside (0, 8)"],
    ["a repeated cut", [{ dim: 0, cuts: [3, 3] }], "m", "ascending strictly inside (0, 10)"],
    [
      "a dimension split twice",
      [
        { dim: 0, parts: 2 },
        { dim: 0, cuts: [5] },
      ],
      "m",
      "dimension 0 is split more than once",
    ],
  ])("%s is `invalid_split` naming the operation and index dimension %s", (_, splits, name, detail) => {
    const error = expectTesseraError(() => gridSharding(matmul, splits), "invalid_split");
    expect(error.summary.startsWith(`operation 'mm' (matmul), index dimension ${name}: `)).toBe(true);
    expect(error.summary).toContain(detail);
    expect(error.context.op).toBe("mm");
    expect(error.context.dim).toBe(splits[splits.length - 1]!.dim);
  });

  it("a dimension beyond the index rank is `dimension_out_of_bounds`, naming the operation", () => {
    const error = expectTesseraError(
      () => gridSharding(matmul, [{ dim: 3, parts: 2 }]),
      "dimension_out_of_bounds",
    );
    expect(error.summary).toBe("operation 'mm' (matmul): cannot split dimension 3 of a rank-3 range");
    expect(error.context).toMatchObject({ op: "mm", dim: 3, rank: 3 });
  });

  it("an invalid split of an unshardable operation reports the split, which is checked first", () => {
    expectTesseraError(() => gridSharding(reshape, [{ dim: 0, parts: 9 }]), "invalid_split");
  });
});

// The per-task cost model, from the signature alone: FLOPs are 2 × index points × the largest
// box an index point reads; bytes are the regions read and written; time is a roofline plus the
// launch overhead.
import { describe, expect, it } from "vitest";
import type { DeviceType } from "../../src/cluster/index.js";
import { DEFAULT_COST_MODEL, elementsPerPoint, taskSeconds } from "../../src/cost/index.js";
import { program, type TensorProgram } from "../../src/frontend/index.js";
import type { Operation } from "../../src/ir/index.js";
import { combineGeometry, gridSharding, shardGeometry } from "../../src/shard/index.js";
import type { DimSplit } from "../../src/zspace/index.js";

/** The one operation `body` builds (its output is the program output). */
function op(body: (p: TensorProgram) => ReturnType<TensorProgram["input"]>): Operation {
  const p = program("one");
  p.output("y", body(p));
  return p.build().operations.at(-1)!;
}

function shards(o: Operation, splits: readonly DimSplit[] = []) {
  return shardGeometry(o, gridSharding(o, splits));
}

describe("work per shard", () => {
  it.each([
    // kernel, operation, elements read per index point, FLOPs of the whole operation, bytes
    [
      "matmul",
      op((p) => p.matmul(p.input("a", [8, 16]), p.input("b", [16, 4]))),
      1,
      2 * 8 * 4 * 16,
      4 * (128 + 64 + 32),
    ],
    ["relu", op((p) => p.relu(p.input("x", [10, 10]))), 1, 2 * 100, 4 * 200],
    ["softmax over rows of 32", op((p) => p.softmax(p.input("x", [4, 32]))), 32, 2 * 4 * 32, 4 * 256],
    [
      "layer norm over rows of 16",
      op((p) => p.layerNorm(p.input("x", [6, 16]), undefined, undefined, { normalizedDims: 1 })),
      16,
      2 * 6 * 16,
      4 * 2 * 96,
    ],
    [
      "sum of rows (float64)",
      op((p) => p.sum(p.input("x", [5, 7], "float64"), { dims: [1] })),
      1,
      2 * 35,
      8 * (35 + 5),
    ],
  ])("%s", (_, o, perPoint, flops, bytes) => {
    expect(elementsPerPoint(o)).toBe(perPoint);
    const [whole] = shards(o);
    expect(DEFAULT_COST_MODEL.shardWork(o, whole!)).toMatchObject({ flops, bytes });
  });

  it("a 3×3 convolution reads a 3×3 window per output point and input channel", () => {
    const conv = op((p) =>
      p.conv2d(p.input("x", [1, 2, 8, 8]), p.input("w", [4, 2, 3, 3]), { padding: [1, 1] }),
    );
    expect(elementsPerPoint(conv)).toBe(9);
    const [whole] = shards(conv);
    // Index n, g, ocg, oh, ow, icg = 1·1·4·8·8·2 points.
    expect(DEFAULT_COST_MODEL.shardWork(conv, whole!).flops).toBe(2 * 9 * 4 * 8 * 8 * 2);
  });

  it("shards split the FLOPs exactly and read their own regions (halos counted where they overlap)", () => {
    const mm = op((p) => p.matmul(p.input("a", [8, 16]), p.input("b", [16, 4])));
    const parts = shards(mm, [{ dim: 0, parts: 2 }]);
    const work = parts.map((s) => DEFAULT_COST_MODEL.shardWork(mm, s));
    expect(work.map((w) => w.flops)).toEqual([2 * 4 * 4 * 16, 2 * 4 * 4 * 16]);
    // Each half reads half of a, all of b, and writes half of c.
    expect(work[0]!.bytes).toBe(4 * (64 + 64 + 16));
  });

  it("the dtype of the work is the output's", () => {
    const f64 = op((p) => p.relu(p.input("x", [3], "float64")));
    expect(DEFAULT_COST_MODEL.shardWork(f64, shards(f64)[0]!).dtype).toBe("float64");
  });
});

describe("work per combine", () => {
  it("folds p partial blocks: elements × (p − 1) FLOPs, p parts + the result in bytes", () => {
    const sum = op((p) => p.sum(p.input("x", [6, 10]), { dims: [0] }));
    const parts = shards(sum, [{ dim: 0, parts: 3 }]);
    const [combine] = combineGeometry(sum, parts);
    expect(DEFAULT_COST_MODEL.combineWork(sum, combine!, 3)).toEqual({
      flops: 10 * 2,
      bytes: 4 * 10 * (3 + 1),
      dtype: "float32",
    });
  });
});

describe("time on a device type", () => {
  const gpu: DeviceType = {
    peakFlops: { float32: 1e12 },
    memoryBytes: 1e9,
    memoryBandwidth: 1e11,
    launchOverhead: 2e-6,
  };

  it("is the launch overhead plus the slower of arithmetic and memory traffic", () => {
    expect(taskSeconds({ flops: 1e9, bytes: 1e6, dtype: "float32" }, gpu)).toBeCloseTo(2e-6 + 1e-3, 15);
    expect(taskSeconds({ flops: 1e3, bytes: 1e8, dtype: "float32" }, gpu)).toBeCloseTo(2e-6 + 1e-3, 15);
    expect(taskSeconds({ flops: 0, bytes: 0, dtype: "float32" }, gpu)).toBe(2e-6);
  });

  it("is undefined for a dtype the device type has no peak rate for", () => {
    expect(taskSeconds({ flops: 1, bytes: 1, dtype: "float64" }, gpu)).toBeUndefined();
  });
});

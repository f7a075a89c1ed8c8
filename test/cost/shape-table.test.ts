import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DeviceType, KernelTable } from "../../src/cluster/index.js";
import {
  DEFAULT_COST_MODEL,
  type GemmShape,
  gemmShape,
  kernelSeconds,
  shapeLogFactor,
  tableSeconds,
} from "../../src/cost/index.js";
import { program } from "../../src/frontend/index.js";
import { gridSharding } from "../../src/shard/operation-sharding.js";
import { shardGeometry } from "../../src/shard/shard-geometry.js";

const PEAK = 1e13;

const flat: KernelTable = {
  kernels: ["matmul", "linear"],
  dtype: "float32",
  by: "flops",
  points: [
    [1e6, 1e-4],
    [1e8, 1e-3],
    [1e10, 5e-2],
  ],
};

/** A table whose shape points say a skinny product of 2²⁷ FLOPs runs 15% slower than a square one. */
const shaped: KernelTable = {
  ...flat,
  shapes: [
    [512, 512, 256, 1.15e-3],
    [256, 512, 512, 1.0e-3],
    [512, 256, 512, 1.1e-3],
  ],
};

const device = (table: KernelTable): DeviceType => ({
  peakFlops: { float32: PEAK },
  memoryBytes: 1e9,
  memoryBandwidth: 1e11,
  launchOverhead: 1e-6,
  kernels: [table],
});

const gemm = (m: number, k: number, n: number, batch = 1): GemmShape => ({ m, k, n, batch });
const work = (g: GemmShape) => ({
  flops: 2 * g.m * g.k * g.n * g.batch,
  bytes: 1,
  dtype: "float32" as const,
  gemm: g,
});

describe("gemmShape", () => {
  it("reads m, k, n off a matmul's, a linear's and a grouped conv2d's signature, and none off a relu", () => {
    const p = program("shapes");
    const mm = p.matmul(p.input("a", [64, 32]), p.input("b", [32, 16]), { id: "mm" });
    const lin = p.linear(p.input("x", [64, 32]), p.input("w", [32, 16]), p.input("bias", [16]), {
      id: "lin",
    });
    const bmm = p.matmul(p.input("q", [4, 64, 8]), p.input("kt", [4, 8, 64]), { id: "bmm" });
    const conv = p.conv2d(
      p.input("img", [2, 8, 10, 10]),
      p.input("f", [6, 4, 3, 3]),
      { padding: [1, 1], groups: 2 },
      { id: "conv" },
    );
    p.output("y0", mm);
    p.output("y1", lin);
    p.output("y2", bmm);
    p.output("y3", conv);
    p.output("y4", p.relu(mm, { id: "r" }));
    const prog = p.build();
    const op = (id: string) => prog.operations.find((o) => o.id === id)!;
    expect(gemmShape(op("mm"), op("mm").index)).toEqual(gemm(64, 32, 16));
    expect(gemmShape(op("lin"), op("lin").index)).toEqual(gemm(64, 32, 16));
    expect(gemmShape(op("bmm"), op("bmm").index)).toEqual(gemm(64, 8, 64, 4));
    // im2col: m = N·OH·OW, k = Cg·KH·KW, n = OCg, in G groups.
    expect(gemmShape(op("conv"), op("conv").index)).toEqual(gemm(2 * 10 * 10, 4 * 9, 3, 2));
    expect(gemmShape(op("r"), op("r").index)).toBeUndefined();
  });

  it("gives a shard its own box's shape, and the cost model carries it", () => {
    const p = program("halves");
    p.output(
      "y",
      p.linear(p.input("x", [512, 512]), p.input("w", [512, 512]), p.input("b", [512]), { id: "fc" }),
    );
    const op = p.build().operations[0]!;
    // Index [rows, out, in]: a column shard halves n, a row shard halves k.
    const [column] = shardGeometry(op, gridSharding(op, [{ dim: 1, parts: 2 }]));
    const [row] = shardGeometry(op, gridSharding(op, [{ dim: 2, parts: 2 }]));
    expect(DEFAULT_COST_MODEL.shardWork(op, column!).gemm).toEqual(gemm(512, 512, 256));
    expect(DEFAULT_COST_MODEL.shardWork(op, row!).gemm).toEqual(gemm(512, 256, 512));
  });
});

describe("shape points", () => {
  it("price a shape point's product at the point's seconds, and skinny shards of equal FLOPs apart", () => {
    for (const [m, k, n, seconds] of shaped.shapes!) {
      expect(kernelSeconds("linear", work(gemm(m, k, n)), device(shaped))).toBeCloseTo(seconds, 15);
    }
    // All three have 2²⁷ FLOPs: the FLOP-keyed table alone gives them one time.
    const one = kernelSeconds("linear", work(gemm(512, 512, 256)), device(flat));
    expect(kernelSeconds("linear", work(gemm(256, 512, 512)), device(flat))).toBe(one);
  });

  it("leave a table without them, and tasks without a GEMM shape, priced exactly as by FLOPs", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 1, max: 4096 }),
        (m, k, n) => {
          const w = work(gemm(m, k, n));
          const { gemm: _, ...noShape } = w;
          return (
            kernelSeconds("matmul", w, device(flat)) === tableSeconds(flat, w.flops, PEAK) &&
            kernelSeconds("matmul", noShape, device(shaped)) === tableSeconds(shaped, w.flops, PEAK)
          );
        },
      ),
    );
  });

  const dims = fc.integer({ min: 3, max: 12 }).map((e) => 2 ** e);
  const point = fc.tuple(dims, dims, dims, fc.double({ min: 0.5, max: 2, noNaN: true }));
  const tables = fc
    .uniqueArray(point, { minLength: 1, maxLength: 12, selector: ([m, k, n]) => `${m}x${k}x${n}` })
    .map(
      (ps): KernelTable => ({
        ...flat,
        // Seconds a factor of 0.5–2 off the FLOP-keyed curve.
        shapes: ps.map(([m, k, n, f]) => [m, k, n, f * tableSeconds(flat, 2 * m * k * n, PEAK)]),
      }),
    );
  const factors = (t: KernelTable) =>
    t.shapes!.map(([m, k, n, s]) => Math.log(s / tableSeconds(t, 2 * m * k * n, PEAK)));

  it("reproduce every grid point exactly (property)", () => {
    fc.assert(
      fc.property(tables, (t) =>
        t.shapes!.every(
          ([m, k, n, s]) =>
            Math.abs(kernelSeconds("matmul", work(gemm(m, k, n)), device(t))! / s - 1) < 1e-12,
        ),
      ),
    );
  });

  it("give a factor between the smallest and largest of the points anywhere, in or out of the grid (property)", () => {
    const anywhere = fc.integer({ min: 0, max: 16 }).map((e) => 2 ** e);
    fc.assert(
      fc.property(tables, anywhere, anywhere, anywhere, (t, m, k, n) => {
        const f = shapeLogFactor(t, gemm(m, k, n), PEAK);
        const fs = factors(t);
        return f >= Math.min(...fs) - 1e-12 && f <= Math.max(...fs) + 1e-12;
      }),
    );
  });

  it("move the factor monotonically from one point to the other between two points (property)", () => {
    fc.assert(
      fc.property(
        tables.filter((t) => t.shapes!.length >= 2),
        (t0) => {
          const t: KernelTable = { ...t0, shapes: t0.shapes!.slice(0, 2) };
          const [a, b] = t.shapes!;
          const steps = 16;
          const along = Array.from({ length: steps + 1 }, (_, i) => {
            const f = i / steps;
            const at = (x: number, y: number) => 2 ** ((1 - f) * Math.log2(x) + f * Math.log2(y));
            return shapeLogFactor(t, gemm(at(a![0], b![0]), at(a![1], b![1]), at(a![2], b![2])), PEAK);
          });
          const rising = along.every((x, i) => i === 0 || x >= along[i - 1]! - 1e-12);
          const falling = along.every((x, i) => i === 0 || x <= along[i - 1]! + 1e-12);
          return rising || falling;
        },
      ),
    );
  });

  it("change nothing where every point's seconds lie on the FLOP-keyed curve, even above the device's peak", () => {
    const onCurve: KernelTable = {
      ...flat,
      shapes: [
        [1024, 1024, 1024, tableSeconds(flat, 2 * 1024 ** 3, PEAK)],
        [64, 64, 64, tableSeconds(flat, 2 * 64 ** 3, PEAK)],
      ],
    };
    for (const g of [gemm(8, 32, 5), gemm(8192, 144, 32), gemm(1024, 1024, 1024)]) {
      const w = work(g);
      // A peak far below the table's rates: the curve's seconds stand as measured.
      const slow = { ...device(onCurve), peakFlops: { float32: 1e6 } };
      const plain = { ...device(flat), peakFlops: { float32: 1e6 } };
      expect(kernelSeconds("matmul", w, slow)! / kernelSeconds("matmul", w, plain)!).toBeCloseTo(1, 12);
    }
  });
});

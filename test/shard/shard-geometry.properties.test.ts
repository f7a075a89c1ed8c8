// Laws of sharding over random programs and random grid shardings: shards tile the index range,
// every region is what the shard's index points select (clipped to the operand), and outputs —
// after the combines when a reduction is split — cover each output selection exactly once.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTesseraError } from "../../src/base/index.js";
import type { Operation, Program } from "../../src/ir/index.js";
import { outputRange } from "../../src/kernels/numeric/output-range.js";
import {
  type CombineGeometry,
  combineGeometry,
  gridSharding,
  type ShardGeometry,
  shardCount,
  shardGeometry,
} from "../../src/shard/index.js";
import { type IndexProjection, tiles, tilingDefect, ZPoint, ZRange } from "../../src/zspace/index.js";
import { anySplits, Dice, programAndDice, randomSplits, runs } from "./random-programs.js";

interface Cut {
  readonly op: Operation;
  readonly boundaries: readonly (readonly number[])[];
  readonly shards: readonly ShardGeometry[];
  readonly combines: readonly CombineGeometry[];
}

/** Every operation of `program` cut by random splits drawn from `dice`. */
function cutAll(program: Program, dice: readonly number[]): Cut[] {
  const d = new Dice(dice);
  return program.operations.map((op) => {
    const sharding = gridSharding(op, randomSplits(op, d));
    const shards = shardGeometry(op, sharding);
    return { op, boundaries: sharding.boundaries, shards, combines: combineGeometry(op, shards) };
  });
}

/** The corners of a non-empty range (one point at rank 0). */
function corners(range: ZRange): ZPoint[] {
  let points: number[][] = [[]];
  for (let d = 0; d < range.rank; d++) {
    const lo = range.start.coords[d]!;
    const hi = range.end.coords[d]! - 1;
    points = points.flatMap((p) =>
      lo === hi
        ? [[...p, lo]]
        : [
            [...p, lo],
            [...p, hi],
          ],
    );
  }
  return points.map((p) => ZPoint.from(p));
}

/** What the points of `range` select through `projection`, clipped to `selection`, computed from corner points. */
function selectedByPoints(projection: IndexProjection, range: ZRange, selection: ZRange): ZRange {
  const boxes = corners(range).map((c) => projection.apply(c));
  return boxes.reduce((a, b) => a.boundingUnion(b)).intersect(selection);
}

const property = (law: (cuts: Cut[]) => void) => () => {
  fc.assert(
    fc.property(programAndDice(), ({ program, dice }) => {
      law(cutAll(program, dice));
    }),
    { numRuns: runs(150) },
  );
};

describe("grid shardings of random programs", () => {
  it(
    "shards tile the operation's index range, one per grid cell, numbered in row-major order",
    property((cuts) => {
      for (const { op, boundaries, shards } of cuts) {
        expect(shards.length).toBe(boundaries.reduce((n, b) => n * (b.length - 1), 1));
        expect(shards.map((s) => s.shard)).toEqual(shards.map((_, k) => k));
        expect(shards.every((s) => s.op === op.id)).toBe(true);
        expect(
          tilingDefect(
            shards.map((s) => s.range),
            op.index,
          ),
        ).toBeUndefined();
        // Row-major: the last dimension varies fastest.
        for (let k = 1; k < shards.length; k++) {
          const [a, b] = [shards[k - 1]!.range.start.coords, shards[k]!.range.start.coords];
          const first = a.findIndex((v, d) => v !== b[d]);
          expect(b[first]!).toBeGreaterThan(a[first]!);
        }
      }
    }),
  );

  it("boundaries run from start to end of each dimension, ascending, parts near-equal with larger pieces first", () => {
    fc.assert(
      fc.property(programAndDice(), ({ program, dice }) => {
        const d = new Dice(dice);
        for (const op of program.operations) {
          const splits = randomSplits(op, d);
          const sharding = gridSharding(op, splits);
          expect(shardCount(sharding)).toBe(shardGeometry(op, sharding).length);
          sharding.boundaries.forEach((b, dim) => {
            expect(b[0]).toBe(op.index.start.coords[dim]);
            expect(b[b.length - 1]).toBe(op.index.end.coords[dim]);
            const sizes = b.slice(1).map((v, i) => v - b[i]!);
            if (op.index.shape.coords[dim]! > 0) expect(Math.min(...sizes)).toBeGreaterThan(0);
            const split = splits.find((s) => s.dim === dim);
            if (split === undefined) expect(b).toHaveLength(2);
            else if ("cuts" in split) expect(b.slice(1, -1)).toEqual(split.cuts);
            else {
              expect(sizes).toHaveLength(split.parts);
              expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
              expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
            }
          });
        }
      }),
      { numRuns: runs(150) },
    );
  });

  it(
    "each shard's input region is exactly what its index points select, clipped to the operand's selection",
    property((cuts) => {
      for (const { op, shards } of cuts) {
        for (const sel of op.inputs) {
          const projection = op.signature.inputs[sel.name]!.projection;
          for (const s of shards) {
            const region = s.inputs[sel.name]!;
            expect(sel.range.contains(region)).toBe(true);
            if (s.range.isEmpty()) expect(region.isEmpty()).toBe(true);
            else expect(region).toEqual(selectedByPoints(projection, s.range, sel.range));
          }
        }
      }
    }),
  );

  it(
    "per operand, the shards together read the projection of the whole range (clipped), and nothing beyond it",
    property((cuts) => {
      for (const { op, shards } of cuts) {
        for (const sel of op.inputs) {
          const whole = op.signature.inputs[sel.name]!.projection.applyRange(op.index).intersect(sel.range);
          const regions = shards.map((s) => s.inputs[sel.name]!);
          const union = regions.reduce((a, b) => a.boundingUnion(b));
          expect(sel.range.contains(union)).toBe(true);
          expect(whole.contains(union)).toBe(true);
          // Equal unless some shard reads only padding (then the bounding box can shrink).
          if (regions.every((r) => !r.isEmpty())) expect(union.equals(whole) || whole.isEmpty()).toBe(true);
        }
      }
    }),
  );

  it(
    "without a split reduction, shard outputs tile every output selection and nothing is combined",
    property((cuts) => {
      for (const { op, shards, combines } of cuts) {
        if (shards.some((s) => s.partial)) continue;
        expect(combines).toEqual([]);
        for (const sel of op.outputs) {
          const regions = shards.map((s) => s.outputs[sel.name]!);
          expect(tilingDefect(regions, sel.range)).toBeUndefined();
        }
      }
    }),
  );

  it(
    "a shard is partial exactly when a reduction dimension is cut, and then all shards are",
    property((cuts) => {
      for (const { op, boundaries, shards } of cuts) {
        const cutReduction = op.signature.reductions.some((r) => boundaries[r.dim]!.length > 2);
        expect(shards.every((s) => s.partial === cutReduction)).toBe(true);
      }
    }),
  );

  it(
    "with a split reduction, combines tile every output selection and each folds parts of exactly its region",
    property((cuts) => {
      for (const { op, boundaries, shards, combines } of cuts) {
        if (!shards.some((s) => s.partial)) continue;
        const reductions = new Set(op.signature.reductions.map((r) => r.dim));
        const blocks = boundaries.reduce((n, b, d) => (reductions.has(d) ? n : n * (b.length - 1)), 1);
        expect(combines.map((c) => c.block)).toEqual(Array.from({ length: blocks }, (_, b) => b));
        for (const sel of op.outputs) {
          expect(
            tilingDefect(
              combines.map((c) => c.outputs[sel.name]!),
              sel.range,
            ),
          ).toBeUndefined();
        }
        // The parts partition the shards, in grid order.
        expect(combines.flatMap((c) => c.parts).sort((a, b) => a - b)).toEqual(shards.map((s) => s.shard));
        for (const c of combines) {
          expect(c.op).toBe(op.id);
          expect(c.monoid).toBe(op.signature.reductions[0]!.monoid);
          expect(c.parts).toEqual([...c.parts].sort((a, b) => a - b));
          const parts = c.parts.map((k) => shards[k]!);
          for (const part of parts) {
            expect(part.block).toBe(c.block);
            for (const sel of op.outputs) expect(part.outputs[sel.name]).toEqual(c.outputs[sel.name]);
          }
          // Together the parts cover the block's index box over the whole reduction extent.
          const first = parts[0]!.range;
          const column = ZRange.fromBounds(
            first.start.coords.map((v, d) => (reductions.has(d) ? op.index.start.coords[d]! : v)),
            first.end.coords.map((v, d) => (reductions.has(d) ? op.index.end.coords[d]! : v)),
          );
          expect(
            tiles(
              parts.map((p) => p.range),
              column,
            ),
          ).toBe(true);
        }
      }
    }),
  );

  it(
    "shards share an output block exactly when they agree off the reduction dimensions",
    property((cuts) => {
      for (const { op, shards } of cuts) {
        const reductions = new Set(op.signature.reductions.map((r) => r.dim));
        const key = (s: ShardGeometry) => s.range.start.coords.filter((_, d) => !reductions.has(d)).join(",");
        for (const a of shards) {
          for (const b of shards) expect(a.block === b.block).toBe(key(a) === key(b));
        }
      }
    }),
  );

  it("a grid is refused as strided exactly when some shard's points would not fill its output box", () => {
    fc.assert(
      fc.property(fc.oneof(programAndDice(), programAndDice(3, ["conv2d"])), ({ program, dice }) => {
        const d = new Dice(dice);
        for (const op of program.operations) {
          const splits = anySplits(op, d);
          const reductions = op.signature.reductions;
          const reduced = new Set(reductions.map((r) => r.dim));
          const strided = op.index.split(splits).some((box) =>
            Object.values(op.signature.outputs).some((out) => {
              const points = box.shape.coords.reduce((n, e, dim) => (reduced.has(dim) ? n : n * e), 1);
              const boxSize = out.projection.shape.coords.reduce((a, b) => a * b, 1);
              return outputRange(out.projection, box, reductions).size !== points * boxSize;
            }),
          );
          let refused = false;
          try {
            gridSharding(op, splits);
          } catch (error: unknown) {
            if (!isTesseraError(error) || error.code !== "invalid_split") throw error;
            refused = true;
            expect(error.summary).toContain(`operation '${op.id}' (${op.kernel}), index dimension `);
          }
          expect(refused).toBe(strided);
        }
      }),
      { numRuns: runs(150) },
    );
  });
});

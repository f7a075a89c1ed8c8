// Random programs and random grid shardings for property tests. A program is a small DAG built
// with the builder from a recipe of dice rolls, so fast-check can shrink it; a sharding cuts any
// subset of an operation's index dimensions, evenly or at uneven cut points.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { type DType, isTesseraError } from "../../src/base/index.js";
import { program, type TensorProgram, type TensorRef } from "../../src/frontend/index.js";
import { type Operation, type Program, parseProgram } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { gridSharding } from "../../src/shard/index.js";
import type { DimSplit } from "../../src/zspace/index.js";

/** `n` fast-check runs, ten times as many when `TESSERA_DEEP` is set (`npm run test:deep`). */
export function runs(n: number): number {
  return process.env.TESSERA_DEEP ? 10 * n : n;
}

/** A deterministic stream of choices read from random numbers, cycling when they run out. */
export class Dice {
  private at = 0;

  constructor(private readonly values: readonly number[]) {}

  /** An integer in `[0, n)` (0 when `n ≤ 1`). */
  int(n: number): number {
    if (n <= 1 || this.values.length === 0) return 0;
    const v = this.values[this.at % this.values.length]!;
    this.at++;
    return v % n;
  }

  /** An integer in `[lo, hi]`. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True one time in `n`. */
  oneIn(n: number): boolean {
    return this.int(n) === 0;
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
}

/** A list of dice values for a `Dice`. */
export const diceValues = (maxLength = 120): fc.Arbitrary<number[]> =>
  fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength });

/** The kinds of step a random program is built from. */
export const STEP_KINDS = [
  "unary",
  "binary",
  "matmul",
  "linear",
  "reduce",
  "softmax",
  "layer_norm",
  "conv2d",
  "transpose",
  "slice",
  "concat",
] as const;

/** One step of a recipe: which kind of operation, and the dice that fix its operands and params. */
export interface Step {
  readonly kind: (typeof STEP_KINDS)[number];
  readonly dice: readonly number[];
}

/** A recipe: the dtype, the dice for the first input, and the steps. */
export interface Recipe {
  readonly dtype: DType;
  readonly dice: readonly number[];
  readonly steps: readonly Step[];
}

/** The step kinds whose kernels accept int32 (no float-only kernel among them). */
export const INT_STEP_KINDS = [
  "unary",
  "binary",
  "matmul",
  "reduce",
  "transpose",
  "slice",
  "concat",
] as const;

/** A recipe of 1..`maxSteps` steps of the given kinds, each as likely as any other. */
export const recipe = (
  maxSteps = 5,
  kinds: readonly Step["kind"][] = STEP_KINDS,
  dtypes: readonly DType[] = ["float32", "float64"],
): fc.Arbitrary<Recipe> =>
  fc.record({
    dtype: fc.constantFrom<DType>(...dtypes),
    dice: fc.array(fc.nat({ max: 1000 }), { minLength: 4, maxLength: 4 }),
    steps: fc.array(
      fc.record({
        kind: fc.constantFrom(...kinds),
        dice: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 16 }),
      }),
      { minLength: 1, maxLength: maxSteps },
    ),
  });

/** Builds a recipe's program: every step applies one kernel to earlier tensors (or fresh inputs). */
export function buildRecipe(r: Recipe): Program {
  const p = program("random");
  let inputs = 0;
  const fresh = (shape: readonly number[]): TensorRef => p.input(`in${inputs++}`, shape, r.dtype);
  const first = new Dice(r.dice);
  const pool: TensorRef[] = [fresh(randomShape(first, 1, 3))];
  for (const step of r.steps) {
    const dice = new Dice(step.dice);
    const x = dice.pick(pool);
    pool.push(applyStep(p, step.kind, x, dice, fresh, r.dtype === "int32"));
  }
  p.output("y", pool[pool.length - 1]!);
  return p.build();
}

const VALID_IR = new URL("../fixtures/ir/valid/", import.meta.url);

/**
 * The valid IR fixtures as programs: operands selected at odd origins, a concat by copies, a
 * grouped convolution, a scalar reduction and a contraction over nothing.
 */
export const FIXTURE_PROGRAMS: readonly Program[] = readdirSync(VALID_IR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => parseProgram(JSON.parse(readFileSync(new URL(f, VALID_IR), "utf8")), builtinRegistry()));

/** A random program of up to `maxSteps` operations of the given kinds, or now and then a fixture program. */
export const randomProgram = (maxSteps = 5, kinds?: readonly Step["kind"][]): fc.Arbitrary<Program> =>
  fc.oneof(
    { arbitrary: recipe(maxSteps, kinds).map(buildRecipe), weight: 6 },
    { arbitrary: fc.constantFrom(...FIXTURE_PROGRAMS), weight: 1 },
  );

function randomShape(dice: Dice, minRank: number, maxRank: number, maxExtent = 5): number[] {
  return Array.from({ length: dice.between(minRank, maxRank) }, () => dice.between(1, maxExtent));
}

function applyStep(
  p: TensorProgram,
  kind: Step["kind"],
  x: TensorRef,
  dice: Dice,
  fresh: (shape: readonly number[]) => TensorRef,
  int = false,
): TensorRef {
  const rank = x.shape.length;
  const unaries = int ? (["relu", "neg", "abs"] as const) : (["relu", "exp", "neg", "tanh", "abs"] as const);
  const unary = () => p.apply(dice.pick(unaries), { x });
  switch (kind) {
    case "unary":
      return unary();
    case "binary": {
      // b broadcasts against x: leading dimensions dropped, some others stretched from 1.
      const drop = dice.int(rank + 1);
      const b = fresh(x.shape.slice(drop).map((s) => (dice.oneIn(3) ? 1 : s)));
      const [lhs, rhs] = dice.oneIn(2) ? [x, b] : [b, x];
      return p.apply(dice.pick(["add", "sub", "mul", "maximum"] as const), { a: lhs, b: rhs });
    }
    case "matmul": {
      if (rank === 0) return unary();
      const k = x.shape[rank - 1]!;
      const n = dice.between(1, 4);
      // A batched b broadcasts against x's innermost batch dimension, if any.
      const batch = rank >= 3 ? dice.pick([1, x.shape[rank - 3]!]) : dice.between(1, 2);
      const shapes = [[k, n], [k], [batch, k, n]];
      return p.matmul(x, fresh(dice.pick(shapes)));
    }
    case "linear": {
      if (rank === 0) return unary();
      const out = dice.between(1, 4);
      const bias = dice.oneIn(2) ? fresh([out]) : undefined;
      return p.linear(x, fresh([x.shape[rank - 1]!, out]), bias);
    }
    case "reduce": {
      const dims = Array.from({ length: rank }, (_, d) => d).filter(() => dice.oneIn(2));
      const params = {
        keepdims: dice.oneIn(3),
        ...(dims.length > 0 && !dice.oneIn(4) ? { dims } : {}),
      };
      const reductions = int ? (["sum", "max", "min"] as const) : (["sum", "max", "min", "mean"] as const);
      return p.apply(dice.pick(reductions), { x }, params);
    }
    case "softmax":
      if (rank === 0) return unary();
      return p.softmax(x, { dim: dice.between(-rank, rank - 1) });
    case "layer_norm": {
      if (rank === 0) return unary();
      const normalizedDims = dice.between(1, rank);
      const trailing = x.shape.slice(rank - normalizedDims);
      const weight = dice.oneIn(2) ? fresh(trailing) : undefined;
      const bias = dice.oneIn(2) ? fresh(trailing) : undefined;
      return p.layerNorm(x, weight, bias, { normalizedDims });
    }
    case "conv2d":
      return conv2d(p, rank === 4 && dice.oneIn(2) ? x : fresh(convInputShape(dice)), dice, fresh);
    case "transpose": {
      const perm = Array.from({ length: rank }, (_, d) => d);
      for (let i = rank - 1; i > 0; i--) {
        const j = dice.int(i + 1);
        [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      }
      return p.transpose(x, { perm });
    }
    case "slice": {
      const start = x.shape.map((s) => dice.int(s));
      const end = x.shape.map((s, d) => dice.between(start[d]! + 1, s));
      const step = x.shape.map(() => dice.between(1, 3));
      return p.slice(x, { start, end, step });
    }
    case "concat": {
      if (rank === 0) return unary();
      const dim = dice.int(rank);
      const other = dice.oneIn(2) ? x : fresh(x.shape.map((s, d) => (d === dim ? dice.between(1, 3) : s)));
      return p.concat([x, other], dim);
    }
  }
}

function convInputShape(dice: Dice): number[] {
  return [dice.between(1, 2), dice.pick([1, 2, 4]), dice.between(1, 7), dice.between(1, 7)];
}

/** A conv2d of `x` (NCHW) with random groups, filter size, stride, padding and dilation. */
function conv2d(
  p: TensorProgram,
  x: TensorRef,
  dice: Dice,
  fresh: (shape: readonly number[]) => TensorRef,
): TensorRef {
  const [, c, h, w] = x.shape as [number, number, number, number];
  const divisors = Array.from({ length: c }, (_, i) => i + 1).filter((g) => c % g === 0);
  const groups = dice.pick(divisors);
  const kh = dice.between(1, 3);
  const kw = dice.between(1, 3);
  const stride: [number, number] = [dice.between(1, 3), dice.between(1, 3)];
  const dilation: [number, number] = [dice.between(1, 2), dice.between(1, 2)];
  // Enough padding that the dilated filter fits at least once.
  const padFor = (size: number, taps: number, dil: number, pad: number) =>
    Math.max(pad, Math.ceil((dil * (taps - 1) + 1 - size) / 2));
  const padding: [number, number] = [
    padFor(h, kh, dilation[0], dice.between(0, 2)),
    padFor(w, kw, dilation[1], dice.between(0, 2)),
  ];
  const filters = fresh([groups * dice.between(1, 2), c / groups, kh, kw]);
  return p.conv2d(x, filters, { groups, stride, padding, dilation });
}

/**
 * Random grid splits of an operation's index range that `gridSharding` accepts: `anySplits`,
 * less any cut that would make a shard write a strided output (the refusal names that cut).
 */
export function randomSplits(op: Operation, dice: Dice, maxShards = 24): DimSplit[] {
  // An unshardable operation (a reshape, as in some gradients) runs whole.
  if (op.signature.unshardable !== undefined) return [];
  let splits = anySplits(op, dice, maxShards);
  for (;;) {
    try {
      gridSharding(op, splits);
      return splits;
    } catch (error: unknown) {
      if (!isTesseraError(error) || error.code !== "invalid_split" || error.context.outer === undefined)
        throw error;
      splits = splits.filter((s) => s.dim !== error.context.dim);
    }
  }
}

/**
 * Random grid splits of an operation's index range: each dimension stays whole, or is cut into
 * 1..extent near-equal parts, or at 1..3 uneven cut points; at most `maxShards` shards in all
 * (the dimension cut into most pieces is dropped until the grid is small enough).
 */
export function anySplits(op: Operation, dice: Dice, maxShards = 24): DimSplit[] {
  const start = op.index.start.coords;
  const extents = op.index.shape.coords;
  const splits: { split: DimSplit; pieces: number }[] = [];
  extents.forEach((extent, dim) => {
    const mode = dice.int(3);
    if (mode === 0) return;
    if (mode === 1 || extent < 2) {
      const parts = extent === 0 ? 1 : dice.between(1, Math.min(extent, 4));
      splits.push({ split: { dim, parts }, pieces: parts });
      return;
    }
    const inner = Array.from({ length: extent - 1 }, (_, i) => start[dim]! + i + 1);
    const cuts = [...new Set(Array.from({ length: dice.between(1, 3) }, () => dice.pick(inner)))];
    cuts.sort((a, b) => a - b);
    splits.push({ split: { dim, cuts }, pieces: cuts.length + 1 });
  });
  const count = () => splits.reduce((n, s) => n * s.pieces, 1);
  while (count() > maxShards) {
    const most = splits.reduce((m, s, i) => (s.pieces > splits[m]!.pieces ? i : m), 0);
    splits.splice(most, 1);
  }
  // The order of the splits does not matter: reverse it half the time so that nothing relies on it.
  return dice.oneIn(2) ? splits.map((s) => s.split) : splits.map((s) => s.split).reverse();
}

/** A random program together with dice for shardings and placements. */
export const programAndDice = (
  maxSteps = 5,
  kinds?: readonly Step["kind"][],
): fc.Arbitrary<{ program: Program; dice: number[] }> =>
  fc.record({ program: randomProgram(maxSteps, kinds), dice: diceValues() });

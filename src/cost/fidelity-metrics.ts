// How well a simulator predicts measured runs: the figures of the `fidelity` benchmark.

/** A plan's predicted and measured seconds. */
export interface FidelityPoint {
  readonly predicted: number;
  readonly measured: number;
}

/** The fidelity of a set of predictions (see each function). */
export interface FidelitySummary {
  readonly count: number;
  readonly medianError: number;
  readonly p90Error: number;
  readonly maxError: number;
  readonly kendallTau: number;
  readonly regret: number;
}

/** `|predicted − measured| / measured` of a point: 0.25 when the prediction is off by a quarter of the run. */
export function relativeError(p: FidelityPoint): number {
  return Math.abs(p.predicted - p.measured) / p.measured;
}

/**
 * The `q`-quantile of `values` (0 ≤ q ≤ 1), linearly interpolated between order statistics
 * (numpy's default): `quantile([1, 2, 3, 4], 0.5)` is 2.5, `quantile([1, 2, 3, 4], 0.9)` is 3.7.
 * NaN for no values; a `RangeError` for q outside [0, 1].
 */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], found ${q}`);
  if (values.length === 0) return Number.NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Kendall's tau-b of two equally long sequences: +1 when they order every pair alike, −1 when
 * oppositely, with ties counted as neither and normalised out (tau-b). NaN when fewer than two
 * values or when either sequence is constant; a `RangeError` for different lengths.
 *
 * Example: `kendallTau([1, 2, 3], [1, 3, 2])` is 1/3 (two concordant pairs, one discordant).
 */
export function kendallTau(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new RangeError(`lengths differ: ${xs.length} and ${ys.length}`);
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      const dx = Math.sign(xs[j]! - xs[i]!);
      const dy = Math.sign(ys[j]! - ys[i]!);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denominator = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denominator === 0 ? Number.NaN : (concordant - discordant) / denominator;
}

/**
 * The regret of choosing by prediction: the measured seconds of the plan predicted fastest
 * (the first of equals) over the fastest measured seconds of all. 1 when the prediction picks
 * the best plan; 1.3 when the plan it picks runs 30% slower than the best. NaN for no points.
 */
export function regret(points: readonly FidelityPoint[]): number {
  if (points.length === 0) return Number.NaN;
  let chosen = points[0]!;
  let best = points[0]!.measured;
  for (const p of points) {
    if (p.predicted < chosen.predicted) chosen = p;
    if (p.measured < best) best = p.measured;
  }
  return chosen.measured / best;
}

/** Median, 90th percentile and largest relative error, Kendall's tau-b and the regret of `points`. */
export function fidelitySummary(points: readonly FidelityPoint[]): FidelitySummary {
  const errors = points.map(relativeError);
  return {
    count: points.length,
    medianError: quantile(errors, 0.5),
    p90Error: quantile(errors, 0.9),
    maxError: errors.length === 0 ? Number.NaN : Math.max(...errors),
    kendallTau: kendallTau(
      points.map((p) => p.predicted),
      points.map((p) => p.measured),
    ),
    regret: regret(points),
  };
}

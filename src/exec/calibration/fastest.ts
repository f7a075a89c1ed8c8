/**
 * The fastest of repeated timings: the estimate of an undisturbed run. On a shared machine the
 * same warm run takes one of a few modes (seen here: 7 ms or 21 ms for one kernel, with the
 * machine otherwise idle), so a median mixes the modes while the minimum keeps the one the
 * cost model describes. Calibration and the fidelity bench both use it, so they agree. NaN when
 * there are none.
 */
export function fastest(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.min(...values);
}

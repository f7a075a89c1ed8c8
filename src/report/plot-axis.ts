import { formatBytes, formatSeconds } from "./units.js";

/** What an axis measures, which decides its tick steps and labels. */
export type AxisUnit = "seconds" | "bytes";

/** A plotted value range with ticks: linear, or logarithmic when values span orders of magnitude. */
export interface PlotAxis {
  readonly unit: AxisUnit;
  readonly scale: "linear" | "log";
  /** The plotted range, `lo < hi` (both positive on a log axis). */
  readonly lo: number;
  readonly hi: number;
  readonly ticks: readonly number[];
}

/** Values spanning more than this ratio go on a log axis: a linear one would crowd the small ones. */
const LOG_RATIO = 30;

/** The step of about `count` linear ticks over `span`: 1-2-5 × 10^k for seconds, a power of two for bytes. */
function linearStep(span: number, count: number, unit: AxisUnit): number {
  const raw = span / Math.max(1, count);
  if (unit === "bytes") return 2 ** Math.max(0, Math.ceil(Math.log2(raw)));
  return niceStep(raw);
}

/** The smallest 1, 2 or 5 × 10^k at least `raw` (within rounding): the step people read easily. */
export function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * p >= raw * (1 - 1e-9)) ?? 10) * p;
}

/** Log ticks over `[lo, hi]`: 1-2-5 per decade (or every decade) for seconds, powers of two for bytes. */
function logTicks(lo: number, hi: number, unit: AxisUnit, count: number): number[] {
  const ticks: number[] = [];
  if (unit === "bytes") {
    const [a, b] = [Math.floor(Math.log2(lo)), Math.ceil(Math.log2(hi))];
    const every = [1, 2, 3, 5, 10].find((s) => (b - a) / s <= count) ?? 10;
    for (let e = Math.ceil(a / every) * every; e <= b; e += every) ticks.push(2 ** e);
  } else {
    const [a, b] = [Math.floor(Math.log10(lo)), Math.ceil(Math.log10(hi))];
    const mantissas = b - a <= 2 ? [1, 2, 5] : [1];
    const every = mantissas.length > 1 ? 1 : ([1, 2, 3, 5].find((s) => (b - a) / s <= count) ?? 5);
    for (let e = a; e <= b; e += every) for (const m of mantissas) ticks.push(m * 10 ** e);
  }
  const eps = 1e-9;
  return ticks.filter((t) => t >= lo * (1 - eps) && t <= hi * (1 + eps));
}

/**
 * An axis covering `values` with some margin: linear with round ticks (never below zero), or
 * logarithmic when the largest positive value exceeds the smallest 30-fold. About `count` ticks.
 *
 * Example: `plotAxis([2e-5, 2.8e-5], "seconds")` → linear, ticks 20 µs, 22 µs, ..., 28 µs.
 */
export function plotAxis(values: readonly number[], unit: AxisUnit, count = 6): PlotAxis {
  const finite = values.filter((v) => Number.isFinite(v) && v >= 0);
  const positive = finite.filter((v) => v > 0);
  const max = Math.max(0, ...finite);
  const min = Math.min(max, ...finite);
  if (positive.length > 1 && Math.max(...positive) / Math.min(...positive) > LOG_RATIO) {
    const [a, b] = [Math.min(...positive), Math.max(...positive)];
    const pad = (b / a) ** 0.05;
    const [lo, hi] = [a / pad, b * pad];
    return { unit, scale: "log", lo, hi, ticks: logTicks(lo, hi, unit, count) };
  }
  // A single value (or equal ones) gets ±10% around it, or a unit span at zero.
  const span = max > min ? max - min : max > 0 ? max * 0.2 : unit === "bytes" ? 1024 : 1e-6;
  const center = (max + min) / 2;
  const [a, b] = max > min ? [min - span * 0.08, max + span * 0.08] : [center - span / 2, center + span / 2];
  const step = linearStep(b - a, count, unit);
  const lo = Math.max(0, Math.floor(a / step) * step);
  const hi = Math.ceil(b / step) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi * (1 + 1e-9); t += step) ticks.push(Number(t.toPrecision(12)));
  return { unit, scale: "linear", lo, hi: hi > lo ? hi : lo + step, ticks };
}

/** Where `v` falls on `axis`, from 0 (at `lo`) to 1 (at `hi`); a log axis clamps non-positive values to `lo`. */
export function axisFraction(axis: PlotAxis, v: number): number {
  if (axis.scale === "log") {
    const x = Math.max(v, axis.lo);
    return Math.log(x / axis.lo) / Math.log(axis.hi / axis.lo);
  }
  return (v - axis.lo) / (axis.hi - axis.lo);
}

/** A value in the axis's unit, for people (`formatSeconds` or `formatBytes`). */
export function formatAxisValue(unit: AxisUnit, v: number): string {
  // Tick values are round: `20 µs` reads better than formatSeconds' three digits, `20.0 µs`.
  return unit === "seconds"
    ? formatSeconds(v)
        .replace(/(\.\d*?)0+ /, "$1 ")
        .replace(/\. /, " ")
    : formatBytes(v);
}

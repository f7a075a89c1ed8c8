import { type Lowering, ShardGraph } from "./lowering.js";
import { isWhole } from "./lowering-window.js";

/** A float param of a declared kernel, or `fallback` when absent (declared params are decoded with defaults). */
function floatParam(params: unknown, key: string, fallback: number): number {
  const v =
    typeof params === "object" && params !== null ? (params as Record<string, unknown>)[key] : undefined;
  return typeof v === "number" ? v : fallback;
}

/**
 * scale → Mul and Add by scalars, on flat vectors (identity projections) when no padding is
 * needed, so that one session per dtype serves every shape.
 */
export const scaleLowering: Lowering = (geometry, ctx) => {
  const s = new ShardGraph(geometry);
  const { g, dtype } = s;
  const factor = floatParam(ctx.params, "factor", 1);
  const shift = floatParam(ctx.params, "shift", 0);
  const whole = isWhole(s.fitted("x"));
  const x = whole ? s.flatInput("x") : s.input("x");
  const y = g.op("Add", [g.op("Mul", [x, g.scalar(dtype, factor)]), g.scalar(dtype, shift)]);
  return whole ? s.doneFlat(y) : s.done(y);
};

/**
 * gelu_erf_grad → primitive ops in the declaration's order:
 * `dy · (0.5·(1 + erf(x / √2)) + x · exp(−0.5·x·x) / √(2π))`.
 */
export const geluErfGradLowering: Lowering = (geometry) => {
  const s = new ShardGraph(geometry);
  const { g, dtype } = s;
  const whole = isWhole(s.fitted("x")) && isWhole(s.fitted("dy"));
  const x = whole ? s.flatInput("x") : s.input("x");
  const dy = whole ? s.flatInput("dy") : s.input("dy");
  const c = (v: number) => g.scalar(dtype, v);
  const mul = (a: string, b: string) => g.op("Mul", [a, b]);
  const cdf = mul(c(0.5), g.op("Add", [c(1), g.op("Erf", [g.op("Div", [x, c(Math.SQRT2)])])]));
  const density = g.op("Div", [g.op("Exp", [mul(mul(c(-0.5), x), x)]), c(Math.sqrt(2 * Math.PI))]);
  const y = mul(dy, g.op("Add", [cdf, mul(x, density)]));
  return whole ? s.doneFlat(y) : s.done(y);
};

/**
 * gelu_grad → primitive ops in the order the declaration's body evaluates them (left to right),
 * with `u = √(2/π)·(x + 0.044715·x³)` and `t = tanh u`:
 * `dy · (0.5·(1 + t) + 0.5·x·(1 − t·t)·√(2/π)·(1 + 0.134145·x·x))`.
 */
export const geluGradLowering: Lowering = (geometry) => {
  const s = new ShardGraph(geometry);
  const { g, dtype } = s;
  const whole = isWhole(s.fitted("x")) && isWhole(s.fitted("dy"));
  const x = whole ? s.flatInput("x") : s.input("x");
  const dy = whole ? s.flatInput("dy") : s.input("dy");
  const c = (v: number) => g.scalar(dtype, v);
  const mul = (a: string, b: string) => g.op("Mul", [a, b]);
  const add = (a: string, b: string) => g.op("Add", [a, b]);
  const root = Math.sqrt(2 / Math.PI);
  const cube = mul(mul(mul(c(0.044715), x), x), x);
  const t = g.op("Tanh", [mul(c(root), add(x, cube))]);
  const first = mul(c(0.5), add(c(1), t));
  const slope = add(c(1), mul(mul(c(0.134145), x), x));
  const second = mul(mul(mul(mul(c(0.5), x), g.op("Sub", [c(1), mul(t, t)])), c(root)), slope);
  const y = mul(dy, add(first, second));
  return whole ? s.doneFlat(y) : s.done(y);
};

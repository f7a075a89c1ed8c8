import { TesseraError } from "../base/errors.js";
import type { TensorRef } from "../kernels/tensor-ref.js";
import type { VjpEmitter } from "../kernels/vjp.js";

/** Plain stochastic gradient descent: `w ← w − lr · g`. */
export interface SgdOptimizer {
  readonly kind: "sgd";
  readonly lr: number;
}

/** SGD with (heavy-ball, PyTorch-style) momentum: `m ← μ · m + g`, `w ← w − lr · m`. */
export interface MomentumOptimizer {
  readonly kind: "momentum";
  readonly lr: number;
  /** μ; default 0.9. */
  readonly momentum?: number;
}

/**
 * Adam: `m ← β1 · m + (1 − β1) · g`, `v ← β2 · v + (1 − β2) · g²`,
 * `w ← w − lr · m̂ / (√v̂ + ε)` with `m̂ = m / (1 − β1^t)`, `v̂ = v / (1 − β2^t)`. The bias
 * corrections depend on the step number `t`, which the program bakes in as constants.
 */
export interface AdamOptimizer {
  readonly kind: "adam";
  readonly lr: number;
  /** β1; default 0.9. */
  readonly beta1?: number;
  /** β2; default 0.999. */
  readonly beta2?: number;
  /** ε; default 1e-8. */
  readonly eps?: number;
  /** The step number t ≥ 1 the bias corrections are for; default 1. */
  readonly step?: number;
}

/** An optimizer of a training step. */
export type Optimizer = SgdOptimizer | MomentumOptimizer | AdamOptimizer;

/** The names of each optimizer's per-weight states, in order (`m` for momentum; `m`, `v` for Adam). */
export const OPTIMIZER_STATES: Readonly<Record<Optimizer["kind"], readonly string[]>> = {
  sgd: [],
  momentum: ["m"],
  adam: ["m", "v"],
};

/** One weight's update: its new value and its new optimizer states by state name. */
export interface WeightUpdate {
  readonly weight: TensorRef;
  readonly states: Readonly<Record<string, TensorRef>>;
}

/**
 * Emits the update of one weight `w` with gradient `g` and current states `states` (by state
 * name) as elementwise kernels: `scale` for constant factors, then `add`, `sub`, `mul`, `div`
 * and `sqrt`.
 */
export function emitUpdate(
  e: VjpEmitter,
  opt: Optimizer,
  w: TensorRef,
  g: TensorRef,
  states: Readonly<Record<string, TensorRef>>,
): WeightUpdate {
  const scale = (x: TensorRef, factor: number, shift = 0) => e.call("scale", { x }, { factor, shift });
  const bin = (kernel: "add" | "sub" | "mul" | "div", a: TensorRef, b: TensorRef) => e.call(kernel, { a, b });
  switch (opt.kind) {
    case "sgd":
      return { weight: bin("sub", w, scale(g, opt.lr)), states: {} };
    case "momentum": {
      const m = bin("add", scale(states.m!, opt.momentum ?? 0.9), g);
      return { weight: bin("sub", w, scale(m, opt.lr)), states: { m } };
    }
    case "adam": {
      const b1 = opt.beta1 ?? 0.9;
      const b2 = opt.beta2 ?? 0.999;
      const t = opt.step ?? 1;
      const m = bin("add", scale(states.m!, b1), scale(g, 1 - b1));
      const v = bin("add", scale(states.v!, b2), scale(bin("mul", g, g), 1 - b2));
      // lr · m̂ / (√v̂ + ε) = (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε).
      const step = scale(m, opt.lr / (1 - b1 ** t));
      const denom = scale(e.call("sqrt", { x: v }), 1 / Math.sqrt(1 - b2 ** t), opt.eps ?? 1e-8);
      return { weight: bin("sub", w, bin("div", step, denom)), states: { m, v } };
    }
  }
}

/**
 * Checks an optimizer given as plain data (from a file or the command line), throwing
 * `invalid_argument` naming the field: the kind must be sgd, momentum or adam, `lr` positive
 * and finite, β1, β2 and μ in [0, 1), ε non-negative, the step a positive integer.
 */
export function checkOptimizer(raw: unknown): Optimizer {
  const fail = (field: string, expected: string, found: unknown): never => {
    throw new TesseraError(
      "invalid_argument",
      `optimizer ${field} must be ${expected}, found ${JSON.stringify(found) ?? String(found)}`,
      { argument: `optimizer.${field}`, expected, found: JSON.stringify(found) ?? String(found) },
    );
  };
  if (typeof raw !== "object" || raw === null) return fail("", "an object", raw);
  const o = raw as Record<string, unknown>;
  const kind = o.kind;
  if (kind !== "sgd" && kind !== "momentum" && kind !== "adam")
    return fail("kind", "sgd, momentum or adam", kind);
  const num = (key: string, ok: (v: number) => boolean, expected: string, optional: boolean) => {
    const v = o[key];
    if (v === undefined && optional) return;
    if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) fail(key, expected, v);
  };
  num("lr", (v) => v > 0, "a positive number", false);
  const unit = (v: number) => v >= 0 && v < 1;
  if (kind === "momentum") num("momentum", unit, "in [0, 1)", true);
  if (kind === "adam") {
    num("beta1", unit, "in [0, 1)", true);
    num("beta2", unit, "in [0, 1)", true);
    num("eps", (v) => v >= 0, "a non-negative number", true);
    num("step", (v) => Number.isSafeInteger(v) && v >= 1, "a positive integer", true);
  }
  return o as unknown as Optimizer;
}

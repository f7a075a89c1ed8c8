import { declaredFloat } from "../../../kernels/declaration/declared-float.js";
import { type Lowering, ShardGraph } from "./lowering.js";
import { isWhole } from "./lowering-window.js";

/**
 * A pointwise lowering over the operands `names`: on flat vectors when every operand is whole
 * (identity projections, no padding), so that one session per dtype serves every shape, else on
 * the shard's boxes. `body` builds the result from the operands' values, with `c` a scalar of
 * the shard's dtype and `mul`/`add` the binary ops.
 */
function pointwise(
  geometry: Parameters<Lowering>[0],
  names: readonly string[],
  body: (
    ops: { g: ShardGraph["g"]; c: (v: number) => string; mul: Binary; add: Binary },
    inputs: string[],
  ) => string,
): ReturnType<Lowering> {
  const s = new ShardGraph(geometry);
  const { g, dtype } = s;
  const whole = names.every((n) => isWhole(s.fitted(n)));
  const inputs = names.map((n) => (whole ? s.flatInput(n) : s.input(n)));
  const ops = {
    g,
    c: (v: number) => g.scalar(dtype, v),
    mul: (a: string, b: string) => g.op("Mul", [a, b]),
    add: (a: string, b: string) => g.op("Add", [a, b]),
  };
  const y = body(ops, inputs);
  return whole ? s.doneFlat(y) : s.done(y);
}

type Binary = (a: string, b: string) => string;

/**
 * scale → Mul and Add by scalars, on flat vectors (identity projections) when no padding is
 * needed, so that one session per dtype serves every shape.
 */
export const scaleLowering: Lowering = (geometry, ctx) => {
  const factor = declaredFloat(ctx.params, "factor", 1);
  const shift = declaredFloat(ctx.params, "shift", 0);
  return pointwise(geometry, ["x"], ({ c, mul, add }, [x]) => add(mul(x!, c(factor)), c(shift)));
};

/**
 * gelu_erf_grad → primitive ops in the declaration's order:
 * `dy · (0.5·(1 + erf(x / √2)) + x · exp(−0.5·x·x) / √(2π))`.
 */
export const geluErfGradLowering: Lowering = (geometry) =>
  pointwise(geometry, ["x", "dy"], ({ g, c, mul, add }, [x, dy]) => {
    const cdf = mul(c(0.5), add(c(1), g.op("Erf", [g.op("Div", [x!, c(Math.SQRT2)])])));
    const density = g.op("Div", [g.op("Exp", [mul(mul(c(-0.5), x!), x!)]), c(Math.sqrt(2 * Math.PI))]);
    return mul(dy!, add(cdf, mul(x!, density)));
  });

/**
 * gelu_grad → primitive ops in the order the declaration's body evaluates them (left to right),
 * with `u = √(2/π)·(x + 0.044715·x³)` and `t = tanh u`:
 * `dy · (0.5·(1 + t) + 0.5·x·(1 − t·t)·√(2/π)·(1 + 0.134145·x·x))`.
 */
export const geluGradLowering: Lowering = (geometry) =>
  pointwise(geometry, ["x", "dy"], ({ g, c, mul, add }, [x, dy]) => {
    const root = Math.sqrt(2 / Math.PI);
    const cube = mul(mul(mul(c(0.044715), x!), x!), x!);
    const t = g.op("Tanh", [mul(c(root), add(x!, cube))]);
    const first = mul(c(0.5), add(c(1), t));
    const slope = add(c(1), mul(mul(c(0.134145), x!), x!));
    const second = mul(mul(mul(mul(c(0.5), x!), g.op("Sub", [c(1), mul(t, t)])), c(root)), slope);
    return mul(dy!, add(first, second));
  });

/** VJPs of the elementwise kernels: unary ones from their outputs or inputs, binary ones summed back over broadcasts. */
import type { DeclaredParams } from "../../declaration/types.js";
import type { TensorRef } from "../../tensor-ref.js";
import type { Vjp, VjpArgs } from "../../vjp.js";
import type { BinaryParams } from "../binary.js";
import { binary, scaled, sumTo, zerosLike } from "./vjp-ops.js";

type UnaryRule = (args: VjpArgs<DeclaredParams>, x: TensorRef, out: TensorRef, dy: TensorRef) => TensorRef;

/** A unary kernel's VJP from a rule giving `dx` from `x`, `out` and `dout`. */
function unary(rule: UnaryRule): Vjp<DeclaredParams> {
  return (args) => ({ x: rule(args, args.inputs.x!, args.outputs.out!, args.cotangents.out!) });
}

/** The VJPs of the built-in unary kernels and `scale`, by kernel id. */
export const UNARY_VJPS = {
  neg: unary(({ emit }, _x, _out, dy) => emit.call("neg", { x: dy })),
  abs: unary(({ emit }, x, _out, dy) => binary(emit, "mul", dy, emit.call("sign", { x }))),
  exp: unary(({ emit }, _x, out, dy) => binary(emit, "mul", dy, out)),
  log: unary(({ emit }, x, _out, dy) => binary(emit, "div", dy, x)),
  sqrt: unary(({ emit }, _x, out, dy) => binary(emit, "div", dy, scaled(emit, out, 2))),
  // relu's output is positive exactly where x is, so its sign is the derivative (0 at x = 0).
  relu: unary(({ emit }, _x, out, dy) => binary(emit, "mul", dy, emit.call("sign", { x: out }))),
  gelu: unary(({ emit }, x, _out, dy) => emit.call("gelu_grad", { x, dy })),
  gelu_erf: unary(({ emit }, x, _out, dy) => emit.call("gelu_erf_grad", { x, dy })),
  // `α · dy` strictly inside (0 < out < 1), zero on the flat parts and at both kinks (where
  // out is exactly 0 or 1), as PyTorch's hardsigmoid: `sign(out) · sign(1 − out)` is the mask.
  hard_sigmoid: unary(({ emit, params }, _x, out, dy) => {
    const inside = binary(
      emit,
      "mul",
      emit.call("sign", { x: out }),
      emit.call("sign", { x: scaled(emit, out, -1, 1) }),
    );
    return binary(emit, "mul", dy, scaled(emit, inside, Number(params.alpha ?? 0.2)));
  }),
  // `dy` where min ≤ x ≤ max, bounds included (as PyTorch's clamp), zero outside: the mask is
  // `1 − |sign(x − out)|`, 1 exactly where clipping left x unchanged.
  clip: unary(({ emit }, x, out, dy) => {
    const moved = emit.call("abs", { x: emit.call("sign", { x: binary(emit, "sub", x, out) }) });
    return binary(emit, "mul", dy, scaled(emit, moved, -1, 1));
  }),
  sigmoid: unary(({ emit }, _x, out, dy) =>
    binary(emit, "mul", dy, binary(emit, "mul", out, scaled(emit, out, -1, 1))),
  ),
  tanh: unary(({ emit }, _x, out, dy) =>
    binary(emit, "mul", dy, scaled(emit, binary(emit, "mul", out, out), -1, 1)),
  ),
  // sign is flat wherever it has a derivative; its gradient is zero (as in PyTorch and JAX).
  sign: unary(({ emit }, x) => zerosLike(emit, x)),
  scale: unary(({ emit, params }, _x, _out, dy) => scaled(emit, dy, Number(params.factor ?? 1))),
} as const;

type BinaryRule = (
  args: VjpArgs<BinaryParams>,
  a: TensorRef,
  b: TensorRef,
  out: TensorRef,
  dy: TensorRef,
) => { readonly a: () => TensorRef; readonly b: () => TensorRef };

/** A binary kernel's VJP: the rule gives each operand's cotangent at the broadcast shape; it is then summed back. */
function binaryVjp(rule: BinaryRule): Vjp<BinaryParams> {
  return (args) => {
    const { inputs, outputs, cotangents, wanted, emit } = args;
    const a = inputs.a!;
    const b = inputs.b!;
    const r = rule(args, a, b, outputs.out!, cotangents.out!);
    return {
      a: wanted.has("a") ? sumTo(emit, r.a(), a.shape) : undefined,
      b: wanted.has("b") ? sumTo(emit, r.b(), b.shape) : undefined,
    };
  };
}

/**
 * maximum/minimum: the cotangent goes to the larger (smaller) operand; on a tie each gets half,
 * through `(1 ± sign(a − b)) / 2`, as PyTorch splits it.
 */
function extremum(larger: boolean): Vjp<BinaryParams> {
  return binaryVjp(({ emit }, a, b, _out, dy) => {
    const s = emit.call("sign", { x: binary(emit, "sub", a, b) });
    const toA = larger ? 0.5 : -0.5;
    return {
      a: () => binary(emit, "mul", dy, scaled(emit, s, toA, 0.5)),
      b: () => binary(emit, "mul", dy, scaled(emit, s, -toA, 0.5)),
    };
  });
}

/** The VJPs of the binary elementwise kernels, by kernel id. */
export const BINARY_VJPS = {
  add: binaryVjp((_args, _a, _b, _out, dy) => ({ a: () => dy, b: () => dy })),
  sub: binaryVjp(({ emit }, _a, _b, _out, dy) => ({ a: () => dy, b: () => emit.call("neg", { x: dy }) })),
  mul: binaryVjp(({ emit }, a, b, _out, dy) => ({
    a: () => binary(emit, "mul", dy, b),
    b: () => binary(emit, "mul", dy, a),
  })),
  // d(a / b)/db = −a / b² = −out / b.
  div: binaryVjp(({ emit }, _a, b, out, dy) => ({
    a: () => binary(emit, "div", dy, b),
    b: () => emit.call("neg", { x: binary(emit, "div", binary(emit, "mul", dy, out), b) }),
  })),
  maximum: extremum(true),
  minimum: extremum(false),
} as const;

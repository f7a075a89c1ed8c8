/** VJPs of matmul and linear: products with the transposed other operand, summed over broadcast batches. */

import type { TensorRef } from "../../tensor-ref.js";
import type { Vjp } from "../../vjp.js";
import type { LinearParams } from "../linear.js";
import type { MatmulParams } from "../matmul.js";
import { reshaped, sumTo, swapLastTwo } from "./vjp-ops.js";

/**
 * matmul: `da = dout · bᵀ`, `db = aᵀ · dout`, each summed back to its operand's (broadcast)
 * shape. A 1-D operand is promoted the way the forward promotes it (`[k]` → `[1, k]` or
 * `[k, 1]`) by a reshape, and the promotion undone after.
 */
export const MATMUL_VJP: Vjp<MatmulParams> = ({ inputs, cotangents, wanted, emit }) => {
  const a = inputs.a!;
  const b = inputs.b!;
  const dy = cotangents.out!;
  const aVec = a.shape.length === 1;
  const bVec = b.shape.length === 1;
  const A = aVec ? reshaped(emit, a, [1, a.shape[0]!]) : a;
  const B = bVec ? reshaped(emit, b, [b.shape[0]!, 1]) : b;
  const batch = dy.shape.slice(0, dy.shape.length - (aVec ? 0 : 1) - (bVec ? 0 : 1));
  const m = A.shape[A.shape.length - 2]!;
  const n = B.shape[B.shape.length - 1]!;
  const DY = reshaped(emit, dy, [...batch, m, n]);
  const grads: Record<string, TensorRef> = {};
  if (wanted.has("a")) {
    const dA = sumTo(emit, emit.call("matmul", { a: DY, b: swapLastTwo(emit, B) }), A.shape);
    grads.a = reshaped(emit, dA, a.shape);
  }
  if (wanted.has("b")) {
    const dB = sumTo(emit, emit.call("matmul", { a: swapLastTwo(emit, A), b: DY }), B.shape);
    grads.b = reshaped(emit, dB, b.shape);
  }
  return grads;
};

/**
 * linear: `dx = dout · wᵀ`; `dw = xᵀ · dout` summed over x's batch dimensions (a batched
 * product then a sum, both shardable; a 1-D x is an outer product); `db = dout` summed over them.
 */
export const LINEAR_VJP: Vjp<LinearParams> = ({ inputs, cotangents, wanted, emit }) => {
  const x = inputs.x!;
  const w = inputs.w!;
  const dy = cotangents.out!;
  const rank = x.shape.length;
  const grads: Record<string, TensorRef> = {};
  if (wanted.has("x")) grads.x = emit.call("matmul", { a: dy, b: emit.call("transpose", { x: w }, {}) });
  if (wanted.has("w")) {
    if (rank === 1) {
      const col = reshaped(emit, x, [x.shape[0]!, 1]);
      grads.w = emit.call("matmul", { a: col, b: reshaped(emit, dy, [1, dy.shape[0]!]) });
    } else {
      const batched = emit.call("matmul", { a: swapLastTwo(emit, x), b: dy });
      const lead = Array.from({ length: rank - 2 }, (_, d) => d);
      grads.w = lead.length === 0 ? batched : emit.call("sum", { x: batched }, { dims: lead });
    }
  }
  if (wanted.has("b") && inputs.b !== undefined) {
    const lead = Array.from({ length: rank - 1 }, (_, d) => d);
    grads.b = lead.length === 0 ? dy : emit.call("sum", { x: dy }, { dims: lead });
  }
  return grads;
};

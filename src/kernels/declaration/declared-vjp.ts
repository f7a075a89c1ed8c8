import type { TensorRef } from "../tensor-ref.js";
import type { Vjp } from "../vjp.js";
import type { DeclaredParams, VjpStepDeclaration } from "./types.js";

/**
 * The VJP a declaration's `vjp` field declares: for each wanted input, one call of the named
 * kernel with its inputs bound to forward inputs, forward outputs or `d<output>` cotangents,
 * and the step's params (the operation's own when absent). Bindings are checked when the
 * declaration is analysed; the kernel and the result's shape when a gradient is derived.
 */
export function declaredVjp(steps: Readonly<Record<string, VjpStepDeclaration>>): Vjp<DeclaredParams> {
  return ({ params, inputs, outputs, cotangents, wanted, emit }) => {
    const resolve = (ref: string): TensorRef | undefined =>
      inputs[ref] ?? outputs[ref] ?? (ref.startsWith("d") ? cotangents[ref.slice(1)] : undefined);
    const grads: Record<string, TensorRef> = {};
    for (const [name, step] of Object.entries(steps)) {
      if (!wanted.has(name)) continue;
      const bound = Object.fromEntries(
        Object.entries(step.inputs).map(([slot, ref]) => [slot, resolve(ref)]),
      );
      grads[name] = emit.call(step.kernel, bound, step.params ?? params);
    }
    return grads;
  };
}

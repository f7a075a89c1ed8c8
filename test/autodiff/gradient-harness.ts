/**
 * Gradient checks: a kernel instance wrapped in a program whose loss is `Σ out · probe` (a
 * random probe, so the cotangent is not all ones), its gradient program from `grad`, and
 * central finite differences of the loss computed with the reference evaluator in float64.
 */
import { expect } from "vitest";
import { grad } from "../../src/autodiff/index.js";
import { evaluateProgram } from "../../src/exec/reference/evaluate.js";
import { program as newProgram } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import type { AnyKernelDef } from "../../src/kernels/kernel.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import type { Region } from "../../src/kernels/region.js";
import type { KernelRegistry } from "../../src/kernels/registry.js";
import { region } from "../kernels/library/kernel-harness.js";

/** A float64 region of `shape` with values from `next`: in ±[0.5, 2) when `positive` is "sign-free", else in [-2, 2). */
export function values(
  shape: readonly number[],
  next: () => number,
  away: "any" | "positive" | "nonzero",
): Region {
  const n = shape.reduce((p, s) => p * s, 1);
  const draw = () => {
    if (away === "any") return next() * 4 - 2;
    const v = 0.5 + next() * 1.5;
    return away === "positive" || next() < 0.5 ? v : -v;
  };
  return region("float64", shape, Array.from({ length: n }, draw));
}

/** The program `loss = Σ kernel(inputs) · probe`, and its inputs' values (probe included). */
export function lossProgram(
  kernel: string,
  inputs: Readonly<Record<string, Region>>,
  params: unknown,
  next: () => number,
  kernels: readonly AnyKernelDef[] = [],
): { program: Program; values: Record<string, Region> } {
  const p = newProgram(`${kernel}-loss`, { kernels });
  const refs = Object.fromEntries(
    Object.entries(inputs).map(([name, r]) => [name, p.input(name, r.range.shape.toArray(), "float64")]),
  );
  const out = p.call(kernel, refs, (params ?? {}) as Record<string, unknown>, { id: "op" }).out!;
  const probe = p.input("probe", out.shape, "float64");
  p.output("loss", p.sum(p.mul(out, probe, { id: "weighted" }), {}, { id: "total" }));
  return {
    program: p.build(),
    values: { ...inputs, probe: values(out.shape, next, "any") },
  };
}

/** The loss of `program` (a scalar output `loss`) at `inputs`. */
function lossAt(program: Program, inputs: Record<string, Region>, registry: KernelRegistry): number {
  return evaluateProgram(program, inputs, registry).loss!.data[0]!;
}

/**
 * Checks the gradient program of `program` against central differences `(L(x + h) − L(x − h)) / 2h`
 * for up to `samples` elements of each of `wrt`, within `1e-5 · (1 + |g|)`.
 */
export function checkGradients(
  program: Program,
  inputs: Record<string, Region>,
  wrt: readonly string[],
  next: () => number,
  samples = 12,
  registry: KernelRegistry = builtinRegistry(),
): void {
  const g = grad(program, { loss: "loss", wrt }, registry);
  const derived = evaluateProgram(g, inputs, registry);
  const h = 1e-6;
  for (const w of wrt) {
    const base = inputs[w]!;
    const analytic = derived[`grad_${w}`]!;
    expect(analytic.range.equals(base.range)).toBe(true);
    const n = base.data.length;
    const picks =
      n <= samples ? [...Array(n).keys()] : Array.from({ length: samples }, () => Math.floor(next() * n));
    for (const i of picks) {
      const shifted = (delta: number) => {
        const data = Float64Array.from(base.data);
        data[i]! += delta;
        return lossAt(program, { ...inputs, [w]: { ...base, data } }, registry);
      };
      const numeric = (shifted(h) - shifted(-h)) / (2 * h);
      const got = analytic.data[i]!;
      expect(
        Math.abs(got - numeric),
        `d loss / d ${w}[${i}]: grad ${got}, finite difference ${numeric}`,
      ).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(numeric)));
    }
  }
}

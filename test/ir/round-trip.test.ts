// Law: a program written as JSON and validated is encoded back to the same JSON, for random
// chains of unary, binary (broadcasting), matmul and reduction operations built with the builder.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { program, type TensorProgram, type TensorRef } from "../../src/frontend/index.js";
import { programToJson, topologicalOrder, validateProgram } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";

type Step =
  | { readonly kind: "unary"; readonly kernel: "relu" | "neg" | "exp" | "tanh" | "abs" }
  | { readonly kind: "binary"; readonly kernel: "add" | "sub" | "mul" | "maximum"; readonly keep: number }
  | { readonly kind: "matmul"; readonly n: number }
  | { readonly kind: "reduce"; readonly kernel: "sum" | "max" | "mean"; readonly dims: readonly boolean[] };

/** An extent, zero now and then: empty tensors and empty reductions are programs too. */
const extent = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) },
);

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("unary"), kernel: fc.constantFrom("relu", "neg", "exp", "tanh", "abs") }),
  fc.record({
    kind: fc.constant("binary"),
    kernel: fc.constantFrom("add", "sub", "mul", "maximum"),
    keep: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant("matmul"), n: extent }),
  fc.record({
    kind: fc.constant("reduce"),
    kernel: fc.constantFrom("sum", "max", "mean"),
    dims: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  }),
);

/** Applies `s` to `x`, or returns `x` when the step does not apply to its rank. */
function apply(p: TensorProgram, x: TensorRef, s: Step, k: number): TensorRef {
  const rank = x.shape.length;
  switch (s.kind) {
    case "unary":
      return p.apply(s.kernel, { x });
    case "binary": {
      // The other operand is a fresh input shaped like a trailing part of x: numpy broadcasting.
      const other = p.input(`in${k}`, x.shape.slice(rank - Math.min(s.keep, rank)), x.dtype);
      return k % 2 === 0 ? p.apply(s.kernel, { a: x, b: other }) : p.apply(s.kernel, { a: other, b: x });
    }
    case "matmul":
      if (rank === 0) return x;
      return p.matmul(x, p.input(`in${k}`, [x.shape[rank - 1]!, s.n], x.dtype));
    case "reduce": {
      if (rank === 0) return x;
      const dims = x.shape.flatMap((_, d) => (s.dims[d] ? [d] : []));
      const reduced = dims.length === 0 ? x.shape : dims.map((d) => x.shape[d]!);
      // A max or mean of nothing is undefined (the kernels refuse it); a sum of nothing is 0.
      const kernel = reduced.includes(0) ? "sum" : s.kernel;
      return p.apply(kernel, { x }, dims.length === 0 ? {} : { dims });
    }
  }
}

const chain = fc.record({
  shape: fc.array(extent, { maxLength: 3 }),
  dtype: fc.constantFrom("float32" as const, "float64" as const),
  steps: fc.array(step, { minLength: 1, maxLength: 6 }),
});

type Chain = typeof chain extends fc.Arbitrary<infer T> ? T : never;

/** The program of a chain: input `x`, the steps in order, output `y`. */
function build(c: Chain): TensorProgram {
  const p = program("chain");
  let x = p.input("x", c.shape, c.dtype);
  c.steps.forEach((s, k) => {
    x = apply(p, x, s, k);
  });
  p.output("y", x);
  return p;
}

describe("programToJson ∘ validateProgram", () => {
  it("gives back the document of any builder program, read from its JSON text", () => {
    fc.assert(
      fc.property(chain, (c) => {
        const json: unknown = JSON.parse(JSON.stringify(build(c).toJson()));
        const { program: validated, issues } = validateProgram(json, builtinRegistry());
        expect(issues).toEqual([]);
        expect(programToJson(validated!)).toStrictEqual(json);
      }),
      { numRuns: 200 },
    );
  });

  it("is idempotent: validating the encoding again encodes the same", () => {
    fc.assert(
      fc.property(chain, (c) => {
        const once = programToJson(build(c).build());
        const { program: again } = validateProgram(once, builtinRegistry());
        expect(programToJson(again!)).toStrictEqual(once);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps a builder program in the order it was built, which is a topological order", () => {
    fc.assert(
      fc.property(chain, (c) => {
        const ops = build(c).build().operations;
        expect(topologicalOrder(ops)).toEqual({ order: ops.map((_, i) => i), cyclic: [] });
      }),
      { numRuns: 100 },
    );
  });
});

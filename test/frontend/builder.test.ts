import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { TesseraError, ValidationError } from "../../src/base/errors.js";
import { evaluateProgram, programOutputs } from "../../src/exec/index.js";
import { input, loadProgramFile, program, type TensorProgram } from "../../src/frontend/index.js";
import { type Program, programToJson, validateProgram } from "../../src/ir/index.js";
import { loadKernelDeclarationFile } from "../../src/kernels/declaration/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import type { Region } from "../../src/kernels/region.js";
import type { KernelRegistry } from "../../src/kernels/registry.js";
import { tensor } from "../exec/tensor-values.js";
import { thrown } from "../support/thrown.js";

const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const SQUARED_DISTANCE = path("../fixtures/kernels/squared-distance.yaml");

/** Evaluates `prog` on `inputs` and returns each program output as a plain array. */
function run(
  prog: Program,
  inputs: Record<string, Region>,
  registry: KernelRegistry = builtinRegistry(),
): Record<string, number[]> {
  const outputs = programOutputs(prog, evaluateProgram(prog, inputs, registry));
  return Object.fromEntries(Object.entries(outputs).map(([id, r]) => [id, Array.from(r.data)]));
}

/** The `ValidationError` `f` throws, with its single issue. */
function validationIssue(f: () => unknown) {
  const error = thrown(f);
  expect(error).toBeInstanceOf(ValidationError);
  const issues = (error as ValidationError).issues;
  expect(issues).toHaveLength(1);
  return { error: error as ValidationError, issue: issues[0]! };
}

/** The builder version of test/fixtures/frontend/tiny-mlp.yaml. */
function buildTinyMlp(): Program {
  const p = program("tiny-mlp");
  const x = p.input("x", [2, 3]);
  const w = p.input("w", [3, 4]);
  const b = p.input("b", [4]);
  const h = p.relu(p.linear(x, w, b, { id: "fc" }), { id: "act" });
  p.output("y", p.sum(h, { dims: [1] }, { id: "total" }));
  return p.build();
}

describe("a built program is the program a loaded file of it validates to", () => {
  it("a hand-written YAML file and the builder give the same IR", () => {
    const loaded = loadProgramFile(path("../fixtures/frontend/tiny-mlp.yaml"), builtinRegistry());
    expect(programToJson(loaded)).toEqual(programToJson(buildTinyMlp()));
  });

  it("examples/mlp.json loads to the IR that examples/mlp.ts builds", () => {
    const loaded = loadProgramFile(path("../../examples/mlp.json"), builtinRegistry());
    expect(programToJson(loaded)).toEqual(programToJson(buildMlp()));
  });

  it("build() returns what validating its own JSON returns: one validation for both paths", () => {
    const p = program("chain");
    p.output("y", p.tanh(p.add(p.input("a", [2, 2]), p.input("b", [2]))));
    const { program: revalidated, issues } = validateProgram(p.toJson(), builtinRegistry());
    expect(issues).toEqual([]);
    expect(programToJson(revalidated!)).toEqual(programToJson(p.build()));
  });

  it("a document whose stored index range is not the kernel's is rejected: signature_mismatch", () => {
    const doc = programToJson(buildTinyMlp()) as { operations: { index: { end: number[] } }[] };
    doc.operations[0]!.index.end = [2, 4, 5];
    const { issues } = validateProgram(doc, builtinRegistry());
    expect(issues.map((i) => i.code)).toContain("signature_mismatch");
  });

  it("the standalone input(p, ...) declares an input like p.input(...)", () => {
    const p = program();
    const x = input(p, "x", [3], "int32");
    expect(x).toEqual({ id: "x", shape: [3], dtype: "int32" });
    p.output("y", p.neg(x));
    expect(p.build().inputs).toEqual(["x"]);
  });
});

describe("output(name, t)", () => {
  it("renames the tensor an operation produced; the operation keeps its id and no copy is added", () => {
    const p = program();
    p.output("y", p.relu(p.input("x", [2]), { id: "act" }));
    const prog = p.build();
    expect(prog.outputs).toEqual(["y"]);
    expect(prog.operations.map((o) => [o.id, o.kernel, o.outputs[0]!.tensor])).toEqual([
      ["act", "relu", "y"],
    ]);
    expect(prog.tensors.map((t) => t.id)).toEqual(["x", "y"]);
  });

  it("a renamed tensor is still usable: later operations read it under its new name", () => {
    const p = program();
    const h = p.relu(p.input("x", [2]), { id: "act" });
    p.output("hidden", h);
    p.output("y", p.add(h, h, { id: "twice" }));
    const prog = p.build();
    expect(prog.operations[1]!.inputs.map((s) => s.tensor)).toEqual(["hidden", "hidden"]);
    expect(run(prog, { x: tensor([2], [-1, 2]) })).toEqual({ hidden: [0, 2], y: [0, 4] });
  });

  it("an output of a program input becomes a copy operation named after the output", () => {
    const p = program();
    p.output("y", p.input("x", [3]));
    const prog = p.build();
    expect(prog.operations.map((o) => [o.id, o.kernel, o.inputs[0]!.tensor, o.outputs[0]!.tensor])).toEqual([
      ["y", "copy", "x", "y"],
    ]);
    expect(run(prog, { x: tensor([3], [1, 2, 3]) })).toEqual({ y: [1, 2, 3] });
  });

  it("the same tensor under a second name is a copy of the first", () => {
    const p = program();
    const r = p.relu(p.input("x", [2]), { id: "act" });
    p.output("first", r);
    p.output("second", r);
    const prog = p.build();
    expect(prog.operations.map((o) => `${o.id}:${o.kernel}`)).toEqual(["act:relu", "second:copy"]);
    expect(run(prog, { x: tensor([2], [-3, 4]) })).toEqual({ first: [0, 4], second: [0, 4] });
  });

  it("declaring an output name twice is a duplicate_id error", () => {
    const p = program();
    const r = p.relu(p.input("x", [2]));
    p.output("y", r);
    const error = thrown(() => p.output("y", r));
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "duplicate_id", context: { id: "y" } });
  });

  it("an output name already taken by another tensor is a duplicate_id error", () => {
    const p = program();
    const x = p.input("x", [2]);
    expect(thrown(() => p.output("x", p.relu(x)))).toMatchObject({
      code: "duplicate_id",
      context: { id: "x" },
    });
  });

  it("fresh operation ids never collide with a name given by output()", () => {
    const p = program();
    const x = p.input("x", [2]);
    p.output("relu_1", p.relu(x)); // relu_0, renamed to relu_1
    const next = p.relu(x);
    expect(next.id).not.toBe("relu_1");
    p.output("z", next);
    expect(p.build().outputs).toEqual(["relu_1", "z"]);
  });
});

describe("ids are unique", () => {
  it("a second input with the same name is a typed duplicate_id error naming the id", () => {
    const p = program();
    p.input("x", [2]);
    const error = thrown(() => p.input("x", [3]));
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "duplicate_id", context: { id: "x" } });
    expect((error as Error).message).toContain("'x'");
  });

  it("a second operation with the same id is a duplicate_id error", () => {
    const p = program();
    const x = p.input("x", [2]);
    p.relu(x, { id: "f" });
    expect(thrown(() => p.neg(x, { id: "f" }))).toMatchObject({ code: "duplicate_id", context: { id: "f" } });
  });

  it("an operation id equal to a tensor's id is a duplicate_id error (its result would take that id)", () => {
    const p = program();
    const x = p.input("x", [2]);
    expect(thrown(() => p.relu(x, { id: "x" }))).toMatchObject({ code: "duplicate_id" });
  });

  it("a rejected call leaves the program as it was", () => {
    const p = program();
    const x = p.input("x", [2]);
    p.relu(x, { id: "f" });
    thrown(() => p.neg(x, { id: "f" }));
    thrown(() => p.matmul(x, p.input("m", [3, 3]), { id: "bad" }));
    p.output("y", p.neg(x, { id: "g" }));
    expect(p.build().operations.map((o) => o.id)).toEqual(["f", "g"]);
  });
});

describe("concat", () => {
  it("builds one copy per part, each writing its own selection of one new tensor", () => {
    const p = program();
    const a = p.input("a", [2, 2]);
    const b = p.input("b", [2, 1]);
    const c = p.concat([a, b], 1, { id: "ab" });
    expect(c).toEqual({ id: "ab", shape: [2, 3], dtype: "float32" });
    p.output("ab", c);
    const prog = p.build();
    const parts = prog.operations.map((o) => ({
      kernel: o.kernel,
      reads: o.inputs[0]!.tensor,
      writes: `${o.outputs[0]!.tensor}${o.outputs[0]!.range}`,
    }));
    expect(parts).toEqual([
      { kernel: "copy", reads: "a", writes: "ab[0:2, 0:2)" },
      { kernel: "copy", reads: "b", writes: "ab[0:2, 2:3)" },
    ]);
  });

  it("evaluates to the concatenation along the given dimension (negative dims count from the end)", () => {
    const p = program();
    const a = p.input("a", [2, 2]);
    const b = p.input("b", [2, 1]);
    p.output("cols", p.concat([a, b], -1));
    p.output("rows", p.concat([a, p.transpose(b)], 0));
    const values = run(p.build(), { a: tensor([2, 2], [1, 2, 3, 4]), b: tensor([2, 1], [5, 6]) });
    expect(values).toEqual({ cols: [1, 2, 5, 3, 4, 6], rows: [1, 2, 3, 4, 5, 6] });
  });

  it("parts that disagree off the concat dimension are a shape_mismatch naming the part", () => {
    const p = program();
    const a = p.input("a", [2, 2]);
    const b = p.input("b", [3, 1]);
    const error = thrown(() => p.concat([a, b], 1));
    expect(error).toMatchObject({
      code: "shape_mismatch",
      context: { part: 1, expected: [2, 2], found: [3, 1] },
    });
    expect((error as Error).message).toContain("concat part 1");
  });

  it("no parts, or a dimension out of range, is invalid_param", () => {
    const p = program();
    const a = p.input("a", [2, 2]);
    expect(thrown(() => p.concat([], 0))).toMatchObject({ code: "invalid_param" });
    expect(thrown(() => p.concat([a], 2))).toMatchObject({
      code: "invalid_param",
      context: { dim: 2, rank: 2 },
    });
  });
});

describe("shape errors are thrown at the call that causes them", () => {
  interface ShapeCase {
    readonly name: string;
    readonly build: (p: TensorProgram) => unknown;
    readonly op: string;
    readonly kernel: string;
    readonly input: string;
    readonly expected: number;
    readonly found: number;
    readonly message: RegExp;
  }
  const cases: readonly ShapeCase[] = [
    {
      name: "matmul inner dimension",
      build: (p) => p.matmul(p.input("a", [2, 3]), p.input("b", [4, 5]), { id: "mm" }),
      op: "mm",
      kernel: "matmul",
      input: "b",
      expected: 3,
      found: 4,
      message: /input b dimension 0 \(k\) must equal input a dimension 1 = 3, found 4/,
    },
    {
      name: "broadcast",
      build: (p) => p.add(p.input("a", [2, 3]), p.input("b", [4]), { id: "plus" }),
      op: "plus",
      kernel: "add",
      input: "b",
      expected: 3,
      found: 4,
      message: /input b dimension 0 \(size 4\) does not broadcast against input a dimension 1 \(size 3\)/,
    },
    {
      name: "conv2d channels",
      build: (p) => p.conv2d(p.input("x", [1, 3, 5, 5]), p.input("w", [2, 4, 3, 3]), {}, { id: "conv" }),
      op: "conv",
      kernel: "conv2d",
      input: "w",
      expected: 3,
      found: 4,
      message: /input w dimension 1 \(input channels per group\) must equal .* = 3, found 4/,
    },
  ];

  it.each(cases)(
    "$name: a ValidationError with one shape_mismatch naming op, kernel, input and dims",
    (c) => {
      const p = program();
      const { error, issue } = validationIssue(() => c.build(p));
      expect(issue.code).toBe("shape_mismatch");
      expect(issue.summary).toContain(`operation '${c.op}' (${c.kernel})`);
      expect(issue.summary).toMatch(c.message);
      expect(issue.context).toMatchObject({ op: c.op, input: c.input, expected: c.expected, found: c.found });
      expect(issue.path).toMatch(/^\/operations\/0\/inputs\//);
      expect(error.message).toContain(issue.summary);
    },
  );

  it("the operation that failed is not added: later calls go on from the valid program", () => {
    const p = program();
    const a = p.input("a", [2, 3]);
    thrown(() => p.matmul(a, p.input("b", [4, 5])));
    p.output("y", p.matmul(a, p.input("c", [3, 5])));
    expect(p.build().operations.map((o) => o.kernel)).toEqual(["matmul"]);
  });

  it("operands of different dtypes are a dtype_mismatch naming both dtypes", () => {
    const p = program();
    const { issue } = validationIssue(() =>
      p.add(p.input("a", [2]), p.input("i", [2], "int32"), { id: "mixed" }),
    );
    expect(issue.code).toBe("dtype_mismatch");
    expect(issue.summary).toContain("operation 'mixed' (add)");
    expect(issue.context).toMatchObject({ op: "mixed", input: "b", expected: "float32", found: "int32" });
  });

  it("a dtype a kernel does not accept is a dtype_mismatch listing the accepted ones", () => {
    const p = program();
    const { issue } = validationIssue(() => p.softmax(p.input("i", [2, 2], "int32"), {}, { id: "sm" }));
    expect(issue).toMatchObject({
      code: "dtype_mismatch",
      context: { input: "x", expected: ["float32", "float64"], found: "int32" },
    });
  });

  it("a softmax dim out of range for the rank is invalid_param at the param's path", () => {
    const p = program();
    const { issue } = validationIssue(() => p.softmax(p.input("x", [2, 2]), { dim: 2 }, { id: "sm" }));
    expect(issue.code).toBe("invalid_param");
    expect(issue.path).toBe("/operations/0/params/dim");
    expect(issue.summary).toContain("operation 'sm' (softmax)");
    expect(issue.context).toMatchObject({ op: "sm", param: "dim", found: 2, rank: 2 });
  });

  it("an unknown param key is invalid_param, not silently ignored", () => {
    const p = program();
    const { issue } = validationIssue(() => p.call("softmax", { x: p.input("x", [2]) }, { axis: 0 }));
    expect(issue).toMatchObject({ code: "invalid_param", context: { param: "axis" } });
  });

  it("an unknown kernel is unknown_kernel", () => {
    const p = program();
    const { issue } = validationIssue(() => p.call("nope", { x: p.input("x", [2]) }, {}));
    expect(issue).toMatchObject({ code: "unknown_kernel", context: { kernel: "nope" } });
  });
});

describe("a kernel added by a declaration file alone: squared-distance.yaml", () => {
  const x = { shape: [2, 3], values: [0, 0, 0, 1, 2, 3] };
  const y = { shape: [3, 3], values: [1, 0, 0, 0, 2, 0, 1, 2, 2] };
  // out[i, j] = Σ_d (x[i, d] − y[j, d])², worked out by hand:
  //   x0 = (0,0,0): y0 → 1, y1 → 4, y2 → 1 + 4 + 4 = 9
  //   x1 = (1,2,3): y0 → 0 + 4 + 9 = 13, y1 → 1 + 0 + 9 = 10, y2 → 0 + 0 + 1 = 1
  const expected = [1, 4, 9, 13, 10, 1];

  function distanceProgram(params: Readonly<Record<string, unknown>>) {
    const p = program("distances", { kernels: [loadKernelDeclarationFile(SQUARED_DISTANCE)] });
    const xs = p.input("x", x.shape);
    const ys = p.input("y", y.shape);
    const out = p.call("squared_distance", { x: xs, y: ys }, params, { id: "dist" });
    return { p, out };
  }

  it("registers with program(name, { kernels }) and derives the output shape [n, m]", () => {
    const { out } = distanceProgram({});
    expect(out).toEqual({ out: { id: "dist", shape: [2, 3], dtype: "float32" } });
  });

  it("builds a program that validates against a registry with the declared kernel", () => {
    const { p, out } = distanceProgram({});
    p.output("d", out.out!);
    const prog = p.build();
    const registry = new Map([
      ...builtinRegistry(),
      ["squared_distance", loadKernelDeclarationFile(SQUARED_DISTANCE)],
    ]);
    const { issues } = validateProgram(programToJson(prog), registry);
    expect(issues).toEqual([]);
    expect(prog.operations[0]!.signature.reductions).toEqual([{ dim: 2, monoid: "sum" }]);
  });

  it("evaluates to the hand-computed distances, and honours the declared `scale` param", () => {
    const registry = new Map([
      ...builtinRegistry(),
      ["squared_distance", loadKernelDeclarationFile(SQUARED_DISTANCE)],
    ]);
    const inputs = { x: tensor(x.shape, x.values), y: tensor(y.shape, y.values) };
    for (const scale of [undefined, 0.5]) {
      const { p, out } = distanceProgram(scale === undefined ? {} : { scale });
      p.output("d", out.out!);
      expect(run(p.build(), inputs, registry)).toEqual({ d: expected.map((v) => v * (scale ?? 1)) });
    }
  });

  it("shape and param errors in a declared kernel are reported at the call like a built-in's", () => {
    const p = program("distances", { kernels: [loadKernelDeclarationFile(SQUARED_DISTANCE)] });
    const xs = p.input("x", [2, 3]);
    const mismatch = validationIssue(() =>
      p.call("squared_distance", { x: xs, y: p.input("y", [4, 2]) }, {}),
    );
    expect(mismatch.issue.summary).toContain("(squared_distance)");
    expect(mismatch.issue.context).toMatchObject({ expected: 3, found: 2 });
    const param = validationIssue(() =>
      p.call("squared_distance", { x: xs, y: p.input("z", [4, 3]) }, { scale: "big" }),
    );
    expect(param.issue).toMatchObject({ code: "invalid_param", context: { param: "scale" } });
  });

  it("without the declaration the kernel is unknown", () => {
    const p = program();
    const { issue } = validationIssue(() => p.call("squared_distance", { x: p.input("x", [2, 3]) }, {}));
    expect(issue.code).toBe("unknown_kernel");
  });
});

describe("outputs placed into part of a tensor with `into`", () => {
  it("the returned part reads back its own slab, not the tensor's first one", () => {
    const p = program();
    const a = p.input("a", [2]);
    const b = p.input("b", [2]);
    const whole = p.tensor("whole", [4]);
    p.call("copy", { x: a }, {}, { id: "lo", into: { out: { tensor: whole, start: [0] } } });
    const hi = p.call("copy", { x: b }, {}, { id: "hi", into: { out: { tensor: whole, start: [2] } } }).out!;
    expect(hi).toEqual({ id: "whole", shape: [2], dtype: "float32", start: [2] });
    p.output("whole", whole);
    p.output("high", hi); // a part: becomes a copy of whole[2:4)
    p.output("doubled", p.add(hi, hi));
    const values = run(p.build(), { a: tensor([2], [1, 2]), b: tensor([2], [3, 4]) });
    expect(values).toEqual({ whole: [1, 2, 3, 4], high: [3, 4], doubled: [6, 8] });
  });
});

/**
 * The layout, reduction and shape-arithmetic translations on one opset-11 model: Transpose,
 * Slice (bounds as inputs), Concat with a constant, Softmax before opset 13 on a non-last axis,
 * ReduceSum and ReduceMax with axes as attributes, Gather of a scalar index, Unsqueeze, Squeeze,
 * Flatten, Clip with constant bounds, and a Shape → Gather → Unsqueeze → Concat → Reshape chain
 * folded into one reshape. The program equals ONNX Runtime on the model.
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/import/index.js";
import { expectSameAsOnnxRuntime } from "./models.js";
import { OnnxModelBuilder } from "./onnx-builder.js";

function layoutModel(): OnnxModelBuilder {
  const m = new OnnxModelBuilder(11);
  const x = m.input("x", [2, 3, 4]);
  const t = m.node("Transpose", [x], { perm: [0, 2, 1] });
  const s = m.node("Slice", [t, m.ints("st", [1]), m.ints("en", [-1]), m.ints("ax", [1]), m.ints("sp", [1])]);
  const c = m.node("Concat", [s, m.init("pad", [2, 1, 3])], { axis: 1 });
  const sm = m.node("Softmax", [c], { axis: 1 });
  m.node("ReduceSum", [sm], { axes: [2], keepdims: 0 }, ["r"]);
  const mx = m.node("ReduceMax", [x], { axes: [1], keepdims: 1 });
  const g = m.node("Gather", [x, m.ints("one", [1], [])], { axis: 1 });
  const sq = m.node("Squeeze", [m.node("Unsqueeze", [g], { axes: [1] })], { axes: [1] });
  const f = m.node("Flatten", [mx], { axis: 1 });
  m.node("Clip", [m.node("Sub", [f, sq]), m.init("lo", [], [-0.5]), m.init("hi", [], [0.5])], {}, ["cl"]);
  const batch = m.node("Unsqueeze", [m.node("Gather", [m.node("Shape", [x]), m.ints("zero", [0])])], {
    axes: [0],
  });
  const target = m.node("Concat", [m.node("Squeeze", [batch], { axes: [1] }), m.ints("rest", [-1])], {
    axis: 0,
  });
  m.node("Relu", [m.node("Reshape", [x, target])], {}, ["rs"]);
  m.output("r", [2, 3]);
  m.output("cl", [2, 4]);
  m.output("rs", [2, 12]);
  return m;
}

describe("layout, reduction and shape-arithmetic operators", () => {
  it("import into the expected kernels and equal ONNX Runtime", async () => {
    const bytes = layoutModel().encode();
    const imported = importOnnx(bytes);
    const kernels = imported.program.operations.map((o) => o.kernel);
    for (const k of ["transpose", "slice", "copy", "softmax", "sum", "max", "clip", "reshape"])
      expect(kernels).toContain(k);
    // The shape chain left one reshape (x → [2, 12]) and nothing else of its own.
    const reshapes = imported.program.operations
      .filter((o) => o.kernel === "reshape")
      .map((o) => o.params.shape);
    expect(reshapes).toContainEqual([2, 12]);
    // Clip bounds become params and the Gather index a slice: only the concatenated constant is an input.
    expect(Object.keys(imported.weights)).toEqual(["pad"]);
    await expectSameAsOnnxRuntime(bytes, imported);
  });
});

/**
 * Models built in the tests as ONNX bytes import into programs whose reference evaluation
 * equals ONNX Runtime running the model itself.
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/import/index.js";
import { convNet, expectSameAsOnnxRuntime, gptBlock } from "./models.js";

describe("a GPT block imported from ONNX", () => {
  it("evaluates as ONNX Runtime runs it (LayerNormalization and Relu as operators)", async () => {
    const bytes = gptBlock({ gelu: "Relu", layerNorm: "op" }).encode();
    const imported = importOnnx(bytes);
    expect(imported.dataInputs).toEqual(["x"]);
    expect(Object.keys(imported.weights).sort()).toEqual(
      [
        "b1",
        "b2",
        "ln1.beta",
        "ln1.gamma",
        "ln2.beta",
        "ln2.gamma",
        "scale",
        "w1",
        "w2",
        "wk",
        "wo",
        "wq",
        "wv",
      ].sort(),
    );
    const kernels = imported.program.operations.map((o) => o.kernel);
    expect(kernels).toContain("layer_norm");
    expect(kernels).toContain("softmax");
    await expectSameAsOnnxRuntime(bytes, imported);
  });

  it("takes a symbolic batch size from the dims option", async () => {
    const bytes = gptBlock({ gelu: "Relu", layerNorm: "op" }, 6, 16, 2, "batch").encode();
    const imported = importOnnx(bytes, { dims: { batch: 3 } });
    const x = imported.program.tensors.find((t) => t.id === "x")!;
    expect(x.range.shape.toArray()).toEqual([3, 6, 16]);
    await expectSameAsOnnxRuntime(bytes, imported);
  });
});

describe("a conv net imported from ONNX", () => {
  it("evaluates as ONNX Runtime runs it (bias, groups, stride, pooling, Gemm with transB and alpha)", async () => {
    const bytes = convNet().encode();
    const imported = importOnnx(bytes, { dims: { N: 2 } });
    const kernels = imported.program.operations.map((o) => o.kernel);
    expect(kernels.filter((k) => k === "conv2d")).toHaveLength(2);
    expect(kernels).toContain("mean");
    await expectSameAsOnnxRuntime(bytes, imported);
  });
});

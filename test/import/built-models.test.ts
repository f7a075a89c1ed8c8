/**
 * Models built in the tests as ONNX bytes import into programs whose reference evaluation
 * equals ONNX Runtime running the model itself.
 */
import { describe, expect, it } from "vitest";
import { presetCluster } from "../../src/cluster/index.js";
import { runLocal } from "../../src/exec/local/index.js";
import { importOnnx } from "../../src/import/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { megatronPlan } from "../../src/search/baselines/megatron-plan.js";
import { ZRange } from "../../src/zspace/z-range.js";
import { convNet, dataFor, expectSameAsOnnxRuntime, gptBlock } from "./models.js";
import { runOnnxRuntime } from "./onnx-builder.js";

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

describe("models built in the tests, planned and run sharded", () => {
  it("a GPT block (exact GELU, decomposed layer norms) on 4 devices equals ONNX Runtime", async () => {
    const bytes = gptBlock({ gelu: "erf", layerNorm: "decomposed" }, 8, 16, 2, 2).encode();
    const imported = importOnnx(bytes);
    const cluster = presetCluster("dgx-a100");
    const plan = megatronPlan(imported.program, cluster, 4);
    expect(new Set(plan.operations.flatMap((o) => o.devices)).size).toBe(4);
    const feeds = dataFor(imported);
    const x = feeds.x!;
    const { outputs, stats } = await runLocal(
      plan,
      { ...imported.weights, x: { dtype: "float32", range: ZRange.fromShape(x.dims), data: x.data } },
      { registry: builtinRegistry(), threads: 2 },
    );
    expect(stats.bytesMoved).toBe(stats.bytesDerived);
    const expected = (await runOnnxRuntime(bytes, feeds)).y!;
    const got = outputs.y!;
    expected.data.forEach((e, i) => {
      expect(Math.abs(got.data[i]! - e) / (1 + Math.abs(e))).toBeLessThan(1e-4);
    });
  });
});

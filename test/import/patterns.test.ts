/**
 * Decomposed operators are recognised: GELU written with erf or tanh, layer normalization
 * written with means, batch normalization after a convolution. Each imports as one kernel and
 * the program still equals ONNX Runtime on the model.
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/import/index.js";
import { convNet, expectSameAsOnnxRuntime, type GptStyle, gptBlock } from "./models.js";
import { f, OnnxModelBuilder } from "./onnx-builder.js";

describe("a GPT block written out by an exporter", () => {
  it.each<[GptStyle["gelu"], string, string]>([
    ["erf", "gelu (erf)", "gelu_erf"],
    ["erf-half-first", "gelu (erf)", "gelu_erf"],
    ["tanh", "gelu (tanh)", "gelu"],
    ["Gelu", "", "gelu_erf"],
  ])("GELU as %s imports as one %s kernel and equals ONNX Runtime", async (gelu, pattern, kernel) => {
    const bytes = gptBlock({ gelu, layerNorm: "decomposed" }).encode();
    const imported = importOnnx(bytes);
    const patterns = imported.recognised.map((r) => r.pattern);
    expect(patterns.filter((p) => p === "layer norm")).toHaveLength(2);
    if (pattern !== "") expect(patterns).toContain(pattern);
    const kernels = imported.program.operations.map((o) => o.kernel);
    expect(kernels.filter((k) => k === kernel)).toHaveLength(1);
    expect(kernels.filter((k) => k === "layer_norm")).toHaveLength(2);
    expect(kernels).not.toContain("sqrt");
    await expectSameAsOnnxRuntime(bytes, imported);
  });

  it("a pattern whose intermediate value is also an output stays as written", async () => {
    const m = new OnnxModelBuilder(17);
    const x = m.input("x", [2, 4]);
    const erf = m.node("Erf", [m.node("Div", [x, m.init("r2", [], [Math.SQRT2])])]);
    const gate = m.node("Add", [erf, m.init("one", [], [1])], {}, ["gate"]);
    m.node("Mul", [m.node("Mul", [x, gate]), m.init("half", [], [0.5])], {}, ["y"]);
    m.output("y", [2, 4]);
    m.output("gate", [2, 4]);
    const e = (() => {
      try {
        importOnnx(m.encode());
      } catch (err) {
        return err as { issues: { context: { opType: string } }[] };
      }
      return undefined;
    })();
    // Not fused, so the Erf is left on its own, and Tessera has no erf kernel to run it with.
    expect(e?.issues.map((i) => i.context.opType)).toEqual(["Erf"]);
  });

  it("a mean over a non-trailing axis is not a layer norm, and imports node by node", async () => {
    const m = new OnnxModelBuilder(17);
    const x = m.input("x", [3, 4]);
    const mean = m.node("ReduceMean", [x], { axes: [0], keepdims: 1 });
    const d = m.node("Sub", [x, mean]);
    const v = m.node("ReduceMean", [m.node("Mul", [d, d])], { axes: [0], keepdims: 1 });
    m.node("Div", [d, m.node("Sqrt", [m.node("Add", [v, m.init("eps", [], [1e-5])])])], {}, ["y"]);
    m.output("y", [3, 4]);
    const bytes = m.encode();
    const imported = importOnnx(bytes);
    expect(imported.program.operations.map((o) => o.kernel)).not.toContain("layer_norm");
    await expectSameAsOnnxRuntime(bytes, imported);
  });
});

describe("batch normalization after a convolution", () => {
  it("is folded into the filters and bias, and equals ONNX Runtime", async () => {
    const bytes = convNet((m, x) =>
      m.node(
        "BatchNormalization",
        [
          x,
          m.init("g", [8], undefined, 1),
          m.init("b", [8]),
          m.init("mu", [8]),
          m.init("var", [8], Array(8).fill(0.7)),
        ],
        {
          epsilon: f(1e-5),
        },
      ),
    ).encode();
    const plain = importOnnx(bytes, { dims: { N: 2 } });
    expect(plain.recognised).toEqual([]);
    expect(plain.program.operations.map((o) => o.kernel)).toContain("mul");
    await expectSameAsOnnxRuntime(bytes, plain);

    const m = new OnnxModelBuilder(13);
    const x = m.input("x", [1, 2, 5, 5]);
    const c = m.node("Conv", [x, m.init("w", [3, 2, 3, 3])], { pads: [1, 1, 1, 1] });
    m.node(
      "BatchNormalization",
      [c, m.init("g", [3]), m.init("b", [3]), m.init("mu", [3]), m.init("var", [3], [0.5, 1, 2])],
      {},
      ["y"],
    );
    m.output("y", [1, 3, 5, 5]);
    const folded = importOnnx(m.encode());
    expect(folded.recognised.map((r) => r.pattern)).toEqual(["batch norm folded into conv"]);
    expect(folded.program.operations.map((o) => o.kernel)).toEqual(["conv2d", "add"]);
    expect(Object.keys(folded.weights).sort()).toEqual(["w.bn", "y.bias"]);
    await expectSameAsOnnxRuntime(m.encode(), folded);
  });
});

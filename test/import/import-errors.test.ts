/** Bad and unsupported models are typed errors naming the node, its operator and what is wrong. */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/base/errors.js";
import { importOnnx } from "../../src/import/index.js";
import { thrownError } from "../support/thrown.js";
import { f, OnnxModelBuilder } from "./onnx-builder.js";

describe("unsupported operators", () => {
  it("are listed all at once, each by node name and op type", () => {
    const m = new OnnxModelBuilder(17);
    const x = m.input("x", [2, 3]);
    const a = m.node("Relu", [m.node("Erf", [x])]);
    const b = m.node("Mod", [a, m.init("k", [3])]);
    m.node("TopK", [b, m.ints("kk", [1])], {}, ["y", "i"]);
    m.output("y", [2, 1]);
    const e = thrownError(() => importOnnx(m.encode()));
    expect(e).toBeInstanceOf(ValidationError);
    const issues = (e as ValidationError).issues;
    expect(issues.map((i) => i.code)).toEqual([
      "unsupported_operator",
      "unsupported_operator",
      "unsupported_operator",
    ]);
    expect(issues.map((i) => [i.context.node, i.context.opType])).toEqual([
      ["Erf_0", "Erf"],
      ["Mod_2", "Mod"],
      ["TopK_3", "TopK"],
    ]);
    expect(issues[0]!.path).toBe("/graph/node/0");
  });

  it("include operators of other domains, named with their domain", () => {
    const m = new OnnxModelBuilder(17);
    m.node("FusedGemm", [m.input("x", [2, 2]), m.init("w", [2, 2])], {}, ["y"], "com.microsoft");
    m.output("y", [2, 2]);
    const e = thrownError(() => importOnnx(m.encode())) as ValidationError;
    expect(e.issues[0]!.summary).toContain("com.microsoft.FusedGemm");
  });
});

describe("unsupported features of supported operators", () => {
  const cases: [string, (m: OnnxModelBuilder, x: string) => string, RegExp][] = [
    [
      "asymmetric conv padding",
      (m, x) => m.node("Conv", [x, m.init("w", [2, 1, 3, 3])], { pads: [0, 0, 1, 1] }),
      /pads \[0, 0, 1, 1\] are not the same on both sides/,
    ],
    [
      "a 1-D convolution",
      (m) => m.node("Conv", [m.input("s", [1, 1, 8]), m.init("w", [2, 1, 3])]),
      /only 2-D convolutions/,
    ],
    [
      "a reshape to a computed shape",
      (m, x) => m.node("Reshape", [x, m.node("Cast", [m.node("Relu", [m.input("s", [4])])], { to: 7 })]),
      /computed at run time|Cast of a float32 tensor to int64/,
    ],
    [
      "a negative slice step",
      (m, x) =>
        m.node("Slice", [x, m.ints("st", [3]), m.ints("en", [0]), m.ints("ax", [3]), m.ints("sp", [-1])]),
      /only positive steps/,
    ],
    ["Pow by 3", (m, x) => m.node("Pow", [x, m.init("e", [], [3])]), /constant exponents 1, 2 and 0.5/],
  ];
  it.each(cases)("%s is unsupported_onnx_feature naming the node", (_what, build, message) => {
    const m = new OnnxModelBuilder(17);
    const x = m.input("x", [1, 1, 4, 4]);
    m.node("Identity", [build(m, x)], {}, ["y"]);
    m.output("y", [null]);
    const e = thrownError(() => importOnnx(m.encode()));
    expect(e.code).toBe("unsupported_onnx_feature");
    expect(e.message).toMatch(message);
    expect(e.context.opType).toBeDefined();
  });
});

describe("malformed models", () => {
  it("bytes that are not a model are invalid_onnx", () => {
    expect(thrownError(() => importOnnx(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).code).toBe("invalid_onnx");
  });

  it("a model without nodes is invalid_onnx", () => {
    const m = new OnnxModelBuilder(17);
    m.input("x", [2]);
    expect(thrownError(() => importOnnx(m.encode())).code).toBe("invalid_onnx");
  });

  it("a node reading an undefined value is invalid_onnx naming the value", () => {
    const m = new OnnxModelBuilder(17);
    m.node("Relu", [m.input("x", [2])], {}, ["y"]);
    m.node("Add", ["y", "nowhere"], {}, ["z"]);
    m.output("z", [2]);
    const e = thrownError(() => importOnnx(m.encode()));
    expect(e.code).toBe("invalid_onnx");
    expect(e.message).toContain("'nowhere'");
  });

  it("an output nothing produces is invalid_onnx", () => {
    const m = new OnnxModelBuilder(17);
    m.node("Relu", [m.input("x", [2])], {}, ["y"]);
    m.output("q", [2]);
    expect(thrownError(() => importOnnx(m.encode())).code).toBe("invalid_onnx");
  });

  it("an attribute of the wrong kind is invalid_onnx", () => {
    const m = new OnnxModelBuilder(17);
    m.node("Softmax", [m.input("x", [2, 2])], { axis: f(1) }, ["y"]);
    m.output("y", [2, 2]);
    const e = thrownError(() => importOnnx(m.encode()));
    expect(e.code).toBe("invalid_onnx");
    expect(e.message).toContain("attribute 'axis' should be int");
  });

  it("a reshape that does not fit is invalid_onnx", () => {
    const m = new OnnxModelBuilder(17);
    m.node("Reshape", [m.input("x", [2, 3]), m.ints("s", [4, -1])], {}, ["y"]);
    m.output("y", [4, 2]);
    expect(thrownError(() => importOnnx(m.encode())).message).toContain("cannot infer -1");
  });
});

describe("inputs", () => {
  it("an integer input is unsupported_onnx_feature; unnamed and named dims without sizes are all listed", () => {
    const m = new OnnxModelBuilder(17);
    m.input("ids", [4], 7);
    const x = m.input("x", ["batch", null]);
    m.node("Relu", [x], {}, ["y"]);
    m.output("y", ["batch", null]);
    const e = thrownError(() => importOnnx(m.encode())) as ValidationError;
    expect(e.issues.map((i) => i.code)).toEqual([
      "unsupported_onnx_feature",
      "unresolved_dimension",
      "unresolved_dimension",
    ]);
    expect(e.issues[2]!.summary).toContain("--dim 'x[1]=<size>'");
  });

  it("an unnamed dim is sized by input[i]; a negative size is invalid_argument", () => {
    const m = new OnnxModelBuilder(17);
    m.node("Relu", [m.input("x", [null, 3])], {}, ["y"]);
    m.output("y", [null, 3]);
    const p = importOnnx(m.encode(), { dims: { "x[0]": 2 } }).program;
    expect(p.tensors.find((t) => t.id === "x")!.range.shape.toArray()).toEqual([2, 3]);
    const e = thrownError(() => importOnnx(m.encode(), { dims: { "x[0]": -1 } })) as ValidationError;
    expect(e.codes).toContain("invalid_argument");
  });
});

/**
 * Every refusal of a translation, one case each: the error's code, and the message naming
 * what was wrong. Each model is one or two nodes on `x [1, 2, 4, 4]` written by `build`.
 */
import { describe, expect, it } from "vitest";
import type { TesseraError } from "../../src/base/errors.js";
import { importOnnx } from "../../src/import/index.js";
import { MODEL_PROTO } from "../../src/import/onnx-schema.js";
import { thrownError } from "../support/thrown.js";
import { type Attr, OnnxModelBuilder } from "./onnx-builder.js";

type Build = (m: OnnxModelBuilder, x: string) => string;

function refusal(build: Build, opset = 17): TesseraError {
  const m = new OnnxModelBuilder(opset);
  const x = m.input("x", [1, 2, 4, 4]);
  m.node("Identity", [build(m, x)], {}, ["y"]);
  m.output("y", [null]);
  return thrownError(() => importOnnx(m.encode()));
}

const one =
  (
    op: string,
    attrs: Readonly<Record<string, Attr>> = {},
    extra: (m: OnnxModelBuilder) => string[] = () => [],
  ): Build =>
  (m, x) =>
    m.node(op, [x, ...extra(m)], attrs);

const CASES: [string, Build, string, RegExp, number?][] = [
  [
    "a required input left out",
    (m) => m.node("Conv", [m.input("z", [1, 1, 3, 3])]),
    "invalid_onnx",
    /input 1 is required/,
  ],
  ["an axis out of range", one("Softmax", { axis: 4 }), "invalid_onnx", /axis 4 is out of range for rank 4/],
  [
    "constants that do not broadcast",
    (m) => m.node("Add", [m.init("a", [2]), m.init("b", [3])]),
    "invalid_onnx",
    /do not broadcast/,
  ],
  [
    "Gelu with an unknown approximation",
    one("Gelu", { approximate: "fast" }),
    "invalid_onnx",
    /approximate 'fast'/,
    20,
  ],
  [
    "a reshape whose size differs",
    one("Reshape", {}, (m) => [m.ints("s", [3, 3])]),
    "invalid_onnx",
    /does not fit/,
  ],
  ["Flatten past the rank", one("Flatten", { axis: 5 }), "invalid_onnx", /axis 5 is out of range/],
  [
    "Squeeze of an axis that is not 1",
    one("Squeeze", {}, (m) => [m.ints("a", [1])]),
    "invalid_onnx",
    /axis 1 has size 2, not 1/,
  ],
  ["Unsqueeze without axes", one("Unsqueeze", {}), "invalid_onnx", /needs axes/, 11],
  [
    "a perm that is not a permutation",
    one("Transpose", { perm: [0, 0, 1, 2] }),
    "invalid_onnx",
    /not a permutation/,
  ],
  [
    "Concat of mismatched parts",
    (m, x) => m.node("Concat", [x, m.init("p", [1, 3, 4, 4])], { axis: 0 }),
    "invalid_onnx",
    /do not match/,
  ],
  [
    "Slice bounds of different lengths",
    one("Slice", {}, (m) => [m.ints("s", [0, 0]), m.ints("e", [1])]),
    "invalid_onnx",
    /same length/,
  ],
  [
    "a Gather index out of range",
    one("Gather", { axis: 1 }, (m) => [m.ints("i", [2], [])]),
    "invalid_onnx",
    /index 2 is out of range/,
  ],
  [
    "Gather of several indices from a tensor",
    one("Gather", { axis: 1 }, (m) => [m.ints("i", [0, 1])]),
    "unsupported_onnx_feature",
    /one scalar index/,
  ],
  [
    "Cast to a type Tessera does not hold",
    one("Cast", { to: 10 }),
    "unsupported_onnx_feature",
    /element type 10/,
  ],
  [
    "a Constant without a value",
    (m) => m.node("Constant", [], { sparse_value: 1 }),
    "unsupported_onnx_feature",
    /without a tensor/,
  ],
  [
    "a ConstantOfShape too large to fold",
    (m) => m.node("ConstantOfShape", [m.ints("s", [4096, 8192])]),
    "limit_exceeded",
    /too large to fold/,
  ],
  [
    "an unknown auto_pad",
    one("Conv", { auto_pad: "MIDDLE" }, (m) => [m.init("w", [2, 2, 3, 3])]),
    "invalid_onnx",
    /auto_pad 'MIDDLE'/,
  ],
  [
    "SAME padding that comes out uneven",
    one("Conv", { auto_pad: "SAME_UPPER" }, (m) => [m.init("w", [2, 2, 2, 2])]),
    "unsupported_onnx_feature",
    /not the same on both sides/,
  ],
  [
    "a 3-D window",
    one("MaxPool", { kernel_shape: [2, 2, 2] }),
    "unsupported_onnx_feature",
    /only 2-D windows/,
  ],
  ["MaxPool without kernel_shape", one("MaxPool", {}), "invalid_onnx", /needs kernel_shape/],
  [
    "MaxPool with ceil_mode",
    one("MaxPool", { kernel_shape: [2, 2], ceil_mode: 1 }),
    "unsupported_onnx_feature",
    /ceil_mode/,
  ],
  [
    "MaxPool's indices",
    (m, x) => m.node("MaxPool", [x], { kernel_shape: [2, 2] }, ["p", "idx"]),
    "unsupported_onnx_feature",
    /Indices output/,
  ],
  [
    "pooling of rank 3",
    (m) => m.node("MaxPool", [m.input("z", [1, 2, 4])], { kernel_shape: [2] }),
    "unsupported_onnx_feature",
    /only 2-D pooling/,
  ],
  [
    "training-mode BatchNormalization",
    (m, x) =>
      m.node("BatchNormalization", [x, ...["g", "b", "m", "v"].map((n) => m.init(n, [2]))], {}, [
        "bn",
        "mean",
        "var",
      ]),
    "unsupported_onnx_feature",
    /training-mode/,
  ],
  [
    "the extra outputs of LayerNormalization",
    (m, x) => m.node("LayerNormalization", [x, m.init("s", [4])], {}, ["ln", "mean"]),
    "unsupported_onnx_feature",
    /mean and inverse-deviation/,
  ],
  ["Cast to bool", one("Cast", { to: 9 }), "unsupported_onnx_feature", /element type 9/],
  [
    "an overlapping ConvTranspose",
    one("ConvTranspose", { strides: [1, 1] }, (m) => [m.init("w", [2, 2, 3, 3])]),
    "unsupported_onnx_feature",
    /strides equal to the filter size \[3, 3\]/,
  ],
  [
    "a linear Resize",
    one("Resize", { mode: "linear" }, (m) => [m.init("roi", [0]), m.init("sc", [4], [1, 1, 2, 2])]),
    "unsupported_onnx_feature",
    /mode 'linear'/,
  ],
  [
    "a Resize by a fractional factor",
    one("Resize", {}, (m) => [m.init("roi", [0]), m.init("sc", [4], [1, 1, 1.5, 1.5])]),
    "unsupported_onnx_feature",
    /factors \[1, 1, 1.5, 1.5\]/,
  ],
  [
    "an asymmetric Resize that rounds",
    one("Resize", { coordinate_transformation_mode: "asymmetric" }, (m) => [
      m.init("roi", [0]),
      m.init("sc", [4], [1, 1, 2, 2]),
    ]),
    "unsupported_onnx_feature",
    /nearest_mode 'round_prefer_floor'/,
  ],
  [
    "Resize before opset 11",
    one("Resize", {}, (m) => [m.init("sc", [4], [1, 1, 2, 2])]),
    "unsupported_onnx_feature",
    /before opset 11/,
    10,
  ],
];

describe("translations refuse what they cannot translate", () => {
  it.each(CASES)("%s", (_what, build, code, message, opset) => {
    const e = refusal(build, opset);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe("tensor data the decoder refuses", () => {
  const model = (tensor: object) => {
    const node = { name: "n", opType: "Identity", input: ["c"], output: ["y"] };
    const graph = {
      name: "g",
      node: [node],
      initializer: [{ name: "c", ...tensor }],
      output: [{ name: "y" }],
    };
    return MODEL_PROTO.encode(
      MODEL_PROTO.fromObject({ irVersion: 8, opsetImport: [{ version: 17 }], graph }),
    ).finish();
  };

  it.each<[string, object, string, RegExp]>([
    [
      "an element type it cannot hold",
      { dims: [1], dataType: 10, rawData: new Uint8Array(2) },
      "unsupported_onnx_feature",
      /element type 10/,
    ],
    [
      "data in an external file",
      { dims: [1], dataType: 1, dataLocation: 1 },
      "unsupported_onnx_feature",
      /external file/,
    ],
    [
      "raw data of the wrong size",
      { dims: [2], dataType: 1, rawData: new Uint8Array(4) },
      "invalid_onnx",
      /needs 8 bytes/,
    ],
    [
      "a boolean constant as a program tensor",
      { dims: [1], dataType: 9, rawData: Uint8Array.of(1) },
      "unsupported_onnx_feature",
      /cannot be a program tensor/,
    ],
    [
      "typed values of the wrong count",
      { dims: [3], dataType: 1, floatData: [1, 2] },
      "invalid_onnx",
      /needs 3 values, found 2/,
    ],
  ])("%s", (_what, tensor, code, message) => {
    const e = thrownError(() => importOnnx(model(tensor)));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

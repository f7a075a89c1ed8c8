import {
  batchNorm,
  conv,
  convTranspose,
  gemm,
  globalAveragePool,
  layerNormalization,
  matMul,
  maxPool,
  reduce,
  resize,
  softmax,
} from "./translate-compute.js";
import { binary, clip, gelu, hardSigmoid, passThrough, pow, unary } from "./translate-elementwise.js";
import {
  cast,
  concat,
  constantNode,
  constantOfShape,
  flatten,
  gather,
  reshape,
  shape,
  slice,
  squeeze,
  transpose,
  unsqueeze,
} from "./translate-layout.js";
import type { Translation } from "./translation.js";

/** The translation of every ONNX operator (default domain) Tessera imports, by op type. */
export const TRANSLATIONS: Readonly<Record<string, Translation>> = {
  Add: binary("add"),
  Sub: binary("sub"),
  Mul: binary("mul"),
  Div: binary("div"),
  Pow: pow,
  Relu: unary("relu"),
  Sigmoid: unary("sigmoid"),
  Tanh: unary("tanh"),
  Exp: unary("exp"),
  Log: unary("log"),
  Sqrt: unary("sqrt"),
  Neg: unary("neg"),
  Abs: unary("abs"),
  Gelu: gelu,
  Clip: clip,
  HardSigmoid: hardSigmoid,
  Identity: passThrough,
  Dropout: passThrough,
  MatMul: matMul,
  Gemm: gemm,
  Conv: conv,
  ConvTranspose: convTranspose,
  Resize: resize,
  BatchNormalization: batchNorm,
  GlobalAveragePool: globalAveragePool,
  MaxPool: maxPool,
  ReduceSum: reduce("sum", 13),
  ReduceMean: reduce("mean", 18),
  ReduceMax: reduce("max", 18),
  ReduceMin: reduce("min", 18),
  Softmax: softmax,
  LayerNormalization: layerNormalization,
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Concat: concat,
  Slice: slice,
  Shape: shape,
  Gather: gather,
  Cast: cast,
  Constant: constantNode,
  ConstantOfShape: constantOfShape,
};

/** The translation of `opType` in `domain`, if Tessera has one. */
export function translationFor(opType: string, domain: string): Translation | undefined {
  if (domain !== "" && domain !== "ai.onnx") return undefined;
  return Object.hasOwn(TRANSLATIONS, opType) ? TRANSLATIONS[opType] : undefined;
}

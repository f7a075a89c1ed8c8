import { MODEL_PROTO, ONNX_ATTRIBUTE_TYPE, ONNX_DATA_TYPE } from "../../../import/onnx-schema.js";
import type { ConstantSpec, GraphDType, GraphSpec, NodeSpec, ValueSpec } from "./onnx-graph.js";

/**
 * The opset every lowering targets: 18 takes reduction axes, pads and slice bounds as inputs
 * and is well inside what the bundled ONNX Runtime implements.
 */
export const OPSET = 18;

/** IR version 8 is the one that goes with opset 18. */
const IR_VERSION = 8;

const ELEMENT_TYPE: Readonly<Record<GraphDType, number>> = {
  float32: ONNX_DATA_TYPE.FLOAT,
  float64: ONNX_DATA_TYPE.DOUBLE,
  int32: ONNX_DATA_TYPE.INT32,
  int64: ONNX_DATA_TYPE.INT64,
  bool: ONNX_DATA_TYPE.BOOL,
};

/** The ONNX element type code of `dtype` (the `to` attribute of Cast). */
export function elementType(dtype: GraphDType): number {
  return ELEMENT_TYPE[dtype];
}

/** Serializes a graph description into ONNX ModelProto bytes. */
export function encodeModel(graph: GraphSpec): Uint8Array {
  const model = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "tessera",
    graph: {
      name: "shard",
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      node: graph.nodes.map(node),
      initializer: graph.constants.map(tensor),
    },
  };
  return MODEL_PROTO.encode(MODEL_PROTO.fromObject(model)).finish();
}

function valueInfo(v: ValueSpec) {
  const dim = v.dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d }));
  return { name: v.name, type: { tensorType: { elemType: ELEMENT_TYPE[v.dtype], shape: { dim } } } };
}

function node(n: NodeSpec) {
  const attribute = Object.entries(n.attributes).map(([name, value]) => {
    if (typeof value === "number") return { name, type: ONNX_ATTRIBUTE_TYPE.INT, i: value };
    return { name, type: ONNX_ATTRIBUTE_TYPE.INTS, ints: value.slice() };
  });
  return { opType: n.op, input: n.inputs.slice(), output: n.outputs.slice(), attribute };
}

function tensor(c: ConstantSpec) {
  const data = rawValues(c.dtype, c.values);
  return {
    name: c.name,
    dataType: ELEMENT_TYPE[c.dtype],
    dims: c.dims.slice(),
    // Raw little-endian bytes, the layout ONNX specifies for raw_data (and the host's on x64/arm64).
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function rawValues(
  dtype: GraphDType,
  values: readonly number[],
): Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values);
    case "float64":
      return Float64Array.from(values);
    case "int32":
      return Int32Array.from(values);
    case "int64":
      return BigInt64Array.from(values, (v) => BigInt(v));
    case "bool":
      return Uint8Array.from(values, (v) => (v === 0 ? 0 : 1));
  }
}

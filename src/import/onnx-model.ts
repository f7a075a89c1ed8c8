import { TesseraError } from "../base/errors.js";
import { MODEL_PROTO, ONNX_ATTRIBUTE_TYPE, ONNX_DATA_TYPE } from "./onnx-schema.js";

/** The element types of ONNX tensors that Tessera reads (integers and bools only as constants). */
export type OnnxElementType = "float32" | "float64" | "int32" | "int64" | "bool" | "uint8" | "int8";

/** A constant tensor of a model (an initializer, a Constant node's value): values as float64, row-major. */
export interface OnnxTensor {
  readonly name: string;
  readonly elementType: OnnxElementType;
  readonly dims: readonly number[];
  readonly values: Float64Array;
}

/** One attribute value of a node; graphs (control flow bodies) are kept only as a marker. */
export type OnnxAttribute =
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "tensor"; readonly value: OnnxTensor }
  | { readonly kind: "floats"; readonly value: readonly number[] }
  | { readonly kind: "ints"; readonly value: readonly number[] }
  | { readonly kind: "strings"; readonly value: readonly string[] }
  | { readonly kind: "other"; readonly type: number };

/** A node of the graph, with its position (for messages) and attributes by name. */
export interface OnnxNode {
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

/** A dimension of a declared value: a size, a symbolic name, or unknown. */
export type OnnxDim = number | string | undefined;

/** A graph input or output as declared: its element type code and dims (absent when untyped). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elementType: OnnxElementType | undefined;
  /** The raw `TensorProto.DataType` code, for messages about types Tessera does not read. */
  readonly elementCode: number;
  readonly dims: readonly OnnxDim[] | undefined;
}

/** A decoded model: the default-domain opset and the main graph. */
export interface OnnxModel {
  readonly irVersion: number;
  /** The version of the default (`ai.onnx`) operator set the graph binds to. */
  readonly opset: number;
  readonly producer: string;
  readonly graph: {
    readonly name: string;
    readonly nodes: readonly OnnxNode[];
    readonly initializers: readonly OnnxTensor[];
    readonly inputs: readonly OnnxValueInfo[];
    readonly outputs: readonly OnnxValueInfo[];
  };
}

// The plain-object shapes `toObject` gives for the descriptor in onnx-schema.ts.
interface RawTensor {
  name?: string;
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  uint64Data?: number[];
  rawData?: Uint8Array;
  dataLocation?: number;
  externalData?: unknown[];
}
interface RawAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: RawTensor;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
interface RawValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } };
}
interface RawModel {
  irVersion?: number;
  producerName?: string;
  opsetImport?: { domain?: string; version?: number }[];
  graph?: {
    name?: string;
    node?: {
      name?: string;
      opType?: string;
      domain?: string;
      input?: string[];
      output?: string[];
      attribute?: RawAttribute[];
    }[];
    initializer?: RawTensor[];
    input?: RawValueInfo[];
    output?: RawValueInfo[];
  };
}

const ELEMENT_TYPES: ReadonlyMap<number, OnnxElementType> = new Map([
  [ONNX_DATA_TYPE.FLOAT, "float32"],
  [ONNX_DATA_TYPE.DOUBLE, "float64"],
  [ONNX_DATA_TYPE.INT32, "int32"],
  [ONNX_DATA_TYPE.INT64, "int64"],
  [ONNX_DATA_TYPE.BOOL, "bool"],
  [ONNX_DATA_TYPE.UINT8, "uint8"],
  [ONNX_DATA_TYPE.INT8, "int8"],
]);

const BYTES: Readonly<Record<OnnxElementType, number>> = {
  float32: 4,
  float64: 8,
  int32: 4,
  int64: 8,
  bool: 1,
  uint8: 1,
  int8: 1,
};

const utf8 = new TextDecoder();

/**
 * Decodes ONNX model bytes (a serialized `ModelProto`). Throws `invalid_onnx` when the bytes
 * are not a model (or have no graph), and `unsupported_onnx_feature` for a tensor stored
 * outside the file or of an element type Tessera cannot hold.
 */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  let raw: RawModel;
  try {
    const message = MODEL_PROTO.decode(bytes);
    raw = MODEL_PROTO.toObject(message, { longs: Number, arrays: true }) as RawModel;
  } catch (error) {
    throw new TesseraError("invalid_onnx", `the file is not an ONNX model: ${(error as Error).message}`, {
      bytes: bytes.length,
    });
  }
  const graph = raw.graph;
  if (graph === undefined || (graph.node ?? []).length === 0) {
    throw new TesseraError("invalid_onnx", "the ONNX model has no graph (or a graph without nodes)", {
      bytes: bytes.length,
    });
  }
  const opsetEntry = (raw.opsetImport ?? []).find((o) => (o.domain ?? "") === "" || o.domain === "ai.onnx");
  return {
    irVersion: raw.irVersion ?? 0,
    // Before IR version 3 there was no opset_import, and opset 1 is what such a model means.
    opset: opsetEntry?.version ?? 1,
    producer: raw.producerName ?? "",
    graph: {
      name: graph.name ?? "",
      nodes: (graph.node ?? []).map((n, index) => ({
        index,
        name: n.name ?? "",
        opType: n.opType ?? "",
        domain: n.domain ?? "",
        inputs: n.input ?? [],
        outputs: n.output ?? [],
        attributes: new Map((n.attribute ?? []).map((a) => [a.name ?? "", attribute(a, n.name ?? "")])),
      })),
      initializers: (graph.initializer ?? []).map((t) => decodeTensor(t, t.name ?? "")),
      inputs: (graph.input ?? []).map(valueInfo),
      outputs: (graph.output ?? []).map(valueInfo),
    },
  };
}

function valueInfo(v: RawValueInfo): OnnxValueInfo {
  const t = v.type?.tensorType;
  const code = t?.elemType ?? 0;
  const dims = t?.shape?.dim?.map((d): OnnxDim => {
    if (d.dimParam !== undefined && d.dimParam !== "") return d.dimParam;
    return d.dimValue;
  });
  return { name: v.name ?? "", elementType: ELEMENT_TYPES.get(code), elementCode: code, dims };
}

function attribute(a: RawAttribute, node: string): OnnxAttribute {
  switch (a.type) {
    case ONNX_ATTRIBUTE_TYPE.FLOAT:
      return { kind: "float", value: a.f ?? 0 };
    case ONNX_ATTRIBUTE_TYPE.INT:
      return { kind: "int", value: a.i ?? 0 };
    case ONNX_ATTRIBUTE_TYPE.STRING:
      return { kind: "string", value: utf8.decode(a.s ?? new Uint8Array()) };
    case ONNX_ATTRIBUTE_TYPE.TENSOR:
      return { kind: "tensor", value: decodeTensor(a.t ?? {}, `${node}.${a.name ?? ""}`) };
    case ONNX_ATTRIBUTE_TYPE.FLOATS:
      return { kind: "floats", value: a.floats ?? [] };
    case ONNX_ATTRIBUTE_TYPE.INTS:
      return { kind: "ints", value: a.ints ?? [] };
    case ONNX_ATTRIBUTE_TYPE.STRINGS:
      return { kind: "strings", value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    default:
      return { kind: "other", type: a.type ?? 0 };
  }
}

/** Decodes a `TensorProto` (raw little-endian bytes or the typed repeated fields) into float64 values. */
export function decodeTensor(t: RawTensor, name: string): OnnxTensor {
  const code = t.dataType ?? 0;
  const elementType = ELEMENT_TYPES.get(code);
  if (elementType === undefined) {
    throw new TesseraError(
      "unsupported_onnx_feature",
      `tensor '${name}' has ONNX element type ${code}, which Tessera does not read (float, double, int8/32/64, uint8, bool)`,
      { tensor: name, elementType: code },
    );
  }
  if (t.dataLocation === 1 || (t.externalData ?? []).length > 0) {
    throw new TesseraError(
      "unsupported_onnx_feature",
      `tensor '${name}' keeps its data in an external file, which Tessera does not read; save the model with its data inside`,
      { tensor: name },
    );
  }
  const dims = t.dims ?? [];
  const size = dims.reduce((a, b) => a * b, 1);
  const values = new Float64Array(size);
  const rawData = t.rawData;
  if (rawData !== undefined && rawData.length > 0) {
    const width = BYTES[elementType];
    if (rawData.length !== size * width) {
      throw new TesseraError(
        "invalid_onnx",
        `tensor '${name}' of dims [${dims.join(", ")}] needs ${size * width} bytes of raw data, found ${rawData.length}`,
        { tensor: name, expected: size * width, found: rawData.length },
      );
    }
    const view = new DataView(rawData.buffer, rawData.byteOffset, rawData.byteLength);
    for (let i = 0; i < size; i++) values[i] = readRaw(view, elementType, i * width);
  } else {
    const typed =
      elementType === "float32"
        ? t.floatData
        : elementType === "float64"
          ? t.doubleData
          : elementType === "int64"
            ? t.int64Data
            : t.int32Data;
    const data = typed ?? [];
    if (data.length !== size) {
      throw new TesseraError(
        "invalid_onnx",
        `tensor '${name}' of dims [${dims.join(", ")}] needs ${size} values, found ${data.length}`,
        { tensor: name, expected: size, found: data.length },
      );
    }
    values.set(data);
  }
  return { name, elementType, dims, values };
}

function readRaw(view: DataView, type: OnnxElementType, at: number): number {
  switch (type) {
    case "float32":
      return view.getFloat32(at, true);
    case "float64":
      return view.getFloat64(at, true);
    case "int32":
      return view.getInt32(at, true);
    case "int64":
      return Number(view.getBigInt64(at, true));
    case "bool":
    case "uint8":
      return view.getUint8(at);
    case "int8":
      return view.getInt8(at);
  }
}

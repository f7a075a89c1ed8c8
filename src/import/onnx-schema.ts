import protobuf from "protobufjs";

type Field = {
  readonly type: string;
  readonly id: number;
  readonly rule?: "repeated";
  readonly options?: object;
};
const one = (type: string, id: number): Field => ({ type, id });
const many = (type: string, id: number): Field => ({ type, id, rule: "repeated" });
// proto2 repeated scalars are unpacked unless declared packed; onnx.proto declares these packed.
const packed = (type: string, id: number): Field => ({
  type,
  id,
  rule: "repeated",
  options: { packed: true },
});

/**
 * The messages of the official `onnx/onnx.proto` (proto2, package `onnx`) that a model's
 * inference graph uses, as a protobufjs JSON descriptor: same names, same field numbers and
 * types. Fields left out (training info, sparse initializers, functions, quantization
 * annotations, sequence and map types) are skipped by the decoder as unknown fields; the
 * importer refuses a model that needs them through what they leave behind (e.g. an input with
 * no tensor type).
 */
const ONNX_DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: one("string", 1),
            refAttrName: one("string", 21),
            docString: one("string", 13),
            type: one("int32", 20),
            f: one("float", 2),
            i: one("int64", 3),
            s: one("bytes", 4),
            t: one("TensorProto", 5),
            g: one("GraphProto", 6),
            floats: packed("float", 7),
            ints: packed("int64", 8),
            strings: many("bytes", 9),
            tensors: many("TensorProto", 10),
            graphs: many("GraphProto", 11),
          },
        },
        ValueInfoProto: {
          fields: { name: one("string", 1), type: one("TypeProto", 2), docString: one("string", 3) },
        },
        NodeProto: {
          fields: {
            input: many("string", 1),
            output: many("string", 2),
            name: one("string", 3),
            opType: one("string", 4),
            domain: one("string", 7),
            attribute: many("AttributeProto", 5),
            docString: one("string", 6),
          },
        },
        StringStringEntryProto: { fields: { key: one("string", 1), value: one("string", 2) } },
        ModelProto: {
          fields: {
            irVersion: one("int64", 1),
            opsetImport: many("OperatorSetIdProto", 8),
            producerName: one("string", 2),
            producerVersion: one("string", 3),
            domain: one("string", 4),
            modelVersion: one("int64", 5),
            docString: one("string", 6),
            graph: one("GraphProto", 7),
            metadataProps: many("StringStringEntryProto", 14),
          },
        },
        GraphProto: {
          fields: {
            node: many("NodeProto", 1),
            name: one("string", 2),
            initializer: many("TensorProto", 5),
            docString: one("string", 10),
            input: many("ValueInfoProto", 11),
            output: many("ValueInfoProto", 12),
            valueInfo: many("ValueInfoProto", 13),
          },
        },
        TensorProto: {
          fields: {
            dims: packed("int64", 1),
            dataType: one("int32", 2),
            floatData: packed("float", 4),
            int32Data: packed("int32", 5),
            stringData: many("bytes", 6),
            int64Data: packed("int64", 7),
            name: one("string", 8),
            docString: one("string", 12),
            rawData: one("bytes", 9),
            externalData: many("StringStringEntryProto", 13),
            dataLocation: one("int32", 14),
            doubleData: packed("double", 10),
            uint64Data: packed("uint64", 11),
          },
        },
        TensorShapeProto: {
          fields: { dim: many("Dimension", 1) },
          nested: {
            Dimension: {
              fields: { dimValue: one("int64", 1), dimParam: one("string", 2), denotation: one("string", 3) },
            },
          },
        },
        TypeProto: {
          fields: { tensorType: one("Tensor", 1), denotation: one("string", 6) },
          nested: {
            Tensor: { fields: { elemType: one("int32", 1), shape: one("TensorShapeProto", 2) } },
          },
        },
        OperatorSetIdProto: { fields: { domain: one("string", 1), version: one("int64", 2) } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(ONNX_DESCRIPTOR);

/** The protobufjs type of `onnx.ModelProto`: `decode` reads model bytes, `encode` writes them. */
export const MODEL_PROTO: protobuf.Type = root.lookupType("onnx.ModelProto");

/** ONNX `TensorProto.DataType` codes Tessera reads. */
export const ONNX_DATA_TYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  DOUBLE: 11,
} as const;

/** ONNX `AttributeProto.AttributeType` codes. */
export const ONNX_ATTRIBUTE_TYPE = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

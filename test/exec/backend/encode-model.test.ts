/** Graph descriptions become ONNX models: opset 18, the nodes and attributes as built, constants as raw bytes. */
import { describe, expect, it } from "vitest";
import { encodeModel, OPSET } from "../../../src/exec/backend/onnx/encode-model.js";
import { GraphBuilder } from "../../../src/exec/backend/onnx/onnx-graph.js";
import { MODEL_PROTO, ONNX_DATA_TYPE } from "../../../src/import/onnx-schema.js";

// The decoded message as plain data; only the fields these tests read.
interface Decoded {
  opsetImport: { domain?: string; version: number }[];
  graph?: {
    input?: {
      name: string;
      type?: { tensorType?: { shape?: { dim?: { dimParam?: string; dimValue?: number }[] } } };
    }[];
    node?: { opType: string; attribute?: { ints?: number[] }[] }[];
    output?: { name: string }[];
    initializer?: { dataType?: number; dims?: number[]; rawData?: Uint8Array }[];
  };
}
const decode = (bytes: Uint8Array): Decoded =>
  MODEL_PROTO.toObject(MODEL_PROTO.decode(bytes), { longs: Number, arrays: true, defaults: true }) as Decoded;

describe("encodeModel", () => {
  it("writes inputs, nodes, int attributes and little-endian constants", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", ["n", 3]);
    const y = g.op("ReduceSum", [x, g.int64s([1])], { keepdims: 1 });
    const z = g.op("Transpose", [g.op("Mul", [y, g.scalar("float32", 0.5)])], { perm: [1, 0] });
    g.output(z, "float32", [1, "n"]);
    const model = decode(encodeModel(g.spec()));
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([["", OPSET]]);
    const graph = model.graph!;
    const inputs = graph.input ?? [];
    expect(inputs.map((i) => i.name)).toEqual(["x"]);
    const dims = inputs[0]?.type?.tensorType?.shape?.dim ?? [];
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(["n", 3]);
    const nodes = graph.node ?? [];
    expect(nodes.map((n) => n.opType)).toEqual(["ReduceSum", "Mul", "Transpose", "Identity"]);
    expect(nodes[2]?.attribute?.[0]?.ints?.map(Number)).toEqual([1, 0]);
    expect((graph.output ?? []).map((o) => o.name)).toEqual(["out"]);
    const [axes, half] = graph.initializer ?? [];
    expect(axes?.dataType).toBe(ONNX_DATA_TYPE.INT64);
    // Copy the bytes out: a decoded field is a view into the whole message's buffer.
    expect(Array.from(new BigInt64Array(Uint8Array.from(axes?.rawData ?? []).buffer))).toEqual([1n]);
    expect(half?.dims).toEqual([]);
    expect(Array.from(new Float32Array(Uint8Array.from(half?.rawData ?? []).buffer))).toEqual([0.5]);
  });

  it("names every value, so equal builds give equal specs (the session cache key)", () => {
    const build = () => {
      const g = new GraphBuilder();
      g.output(g.op("Neg", [g.input("x", "int32", [2])]), "int32", [2]);
      return JSON.stringify(g.spec());
    };
    expect(build()).toBe(build());
  });
});

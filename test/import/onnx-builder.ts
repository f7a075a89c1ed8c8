/**
 * Builds ONNX models in tests, encoded with the importer's own protobuf schema: inputs,
 * float32 initializers, nodes with attributes, outputs. Also runs a model on ONNX Runtime.
 */
import * as ort from "onnxruntime-node";
import { MODEL_PROTO } from "../../src/import/onnx-schema.js";

/** A float attribute (a bare number is an int attribute). */
export interface FloatAttr {
  readonly f: number;
}
/** A float-list attribute. */
export interface FloatsAttr {
  readonly floats: readonly number[];
}
/** A tensor attribute (Constant's `value`). */
export interface TensorAttr {
  readonly tensor: {
    readonly dims: readonly number[];
    readonly values: readonly number[];
    readonly int64?: boolean;
  };
}
/** An attribute value as tests write it. */
export type Attr = number | readonly number[] | string | FloatAttr | FloatsAttr | TensorAttr;

/** A float attribute `x`. */
export const f = (x: number): FloatAttr => ({ f: x });

const TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

function tensorProto(name: string, dims: readonly number[], values: readonly number[], int64 = false) {
  const data = int64 ? BigInt64Array.from(values, (v) => BigInt(v)) : Float32Array.from(values);
  return { name, dims: dims.slice(), dataType: int64 ? 7 : 1, rawData: new Uint8Array(data.buffer) };
}

function attribute(name: string, v: Attr) {
  if (typeof v === "number") return { name, type: TYPE.INT, i: v };
  if (typeof v === "string") return { name, type: TYPE.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: TYPE.INTS, ints: v.slice() };
  if ("f" in v) return { name, type: TYPE.FLOAT, f: v.f };
  if ("floats" in v) return { name, type: TYPE.FLOATS, floats: v.floats.slice() };
  const t = (v as TensorAttr).tensor;
  return { name, type: TYPE.TENSOR, t: tensorProto("", t.dims, t.values, t.int64) };
}

/** A seeded stream of floats in [-1, 1). */
export function floats(seed: number, n: number, scale = 1): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

/** An ONNX graph under construction. */
export class OnnxModelBuilder {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private count = 0;
  private seed = 1;

  constructor(readonly opset = 17) {}

  /** A float32 graph input (a string dim is symbolic; `null` leaves it unnamed). */
  input(name: string, dims: readonly (number | string | null)[], elemType = 1): string {
    this.inputs.push(valueInfo(name, dims, elemType));
    return name;
  }

  /** A float32 initializer with `values` (default: seeded random in [-scale, scale)). */
  init(name: string, dims: readonly number[], values?: readonly number[], scale = 0.5): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.initializers.push(tensorProto(name, dims, values ?? floats(this.seed++ * 7919, n, scale)));
    return name;
  }

  /** An int64 initializer (1-D unless `dims` says otherwise, e.g. `[]` for a scalar). */
  ints(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    this.initializers.push(tensorProto(name, dims, values, true));
    return name;
  }

  /** Appends a node; returns its first output's name (`<op>_<n>` unless given). */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, Attr>> = {},
    outputs?: readonly string[],
    domain = "",
  ): string {
    const n = this.count++;
    const outs = outputs ?? [`${op.toLowerCase()}_${n}`];
    this.nodes.push({
      name: `${op}_${n}`,
      opType: op,
      domain,
      input: inputs.slice(),
      output: outs.slice(),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs[0]!;
  }

  /** Declares `name` a float32 graph output. */
  output(name: string, dims: readonly (number | string | null)[]): void {
    this.outputs.push(valueInfo(name, dims, 1));
  }

  /** The model's bytes. */
  encode(): Uint8Array {
    const model = {
      irVersion: 8,
      opsetImport: [{ domain: "", version: this.opset }],
      producerName: "tessera-test",
      graph: {
        name: "test",
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return MODEL_PROTO.encode(MODEL_PROTO.fromObject(model)).finish();
  }
}

function valueInfo(name: string, dims: readonly (number | string | null)[], elemType: number) {
  const dim = dims.map((d) => (d === null ? {} : typeof d === "string" ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/** Runs `bytes` on ONNX Runtime (CPU) with float32 feeds; returns every output's values and dims. */
export async function runOnnxRuntime(
  bytes: Uint8Array,
  feeds: Readonly<Record<string, { dims: readonly number[]; data: Float32Array }>>,
): Promise<Record<string, { dims: number[]; data: Float32Array }>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const inputs = Object.fromEntries(
      Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor("float32", v.data, v.dims.slice())]),
    );
    const results = await session.run(inputs);
    return Object.fromEntries(
      Object.entries(results).map(([k, t]) => [k, { dims: t.dims.slice(), data: t.data as Float32Array }]),
    );
  } finally {
    await session.release();
  }
}

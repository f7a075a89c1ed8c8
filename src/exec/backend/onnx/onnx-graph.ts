import type { DType } from "../../../base/dtype.js";

/** Element types a graph may carry: the tensor dtypes plus ONNX's index and mask types. */
export type GraphDType = DType | "int64" | "bool";

/** A graph input or output: name, element type and dimensions (a string is a symbolic dimension). */
export interface ValueSpec {
  readonly name: string;
  readonly dtype: GraphDType;
  readonly dims: readonly (number | string)[];
}

/** An ONNX node; every attribute used here is an integer or a list of integers. */
export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, number | readonly number[]>>;
}

/** A constant tensor baked into the graph (an ONNX initializer). */
export interface ConstantSpec {
  readonly name: string;
  readonly dtype: GraphDType;
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

/**
 * A small graph description: plain data, so that its JSON text identifies the model (two
 * shards with equal specs share one session) and `encodeModel` turns it into ONNX bytes.
 */
export interface GraphSpec {
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly constants: readonly ConstantSpec[];
}

/**
 * Builds a `GraphSpec` op by op; values are named by the builder, so a lowering only wires them.
 *
 * ```ts
 * const g = new GraphBuilder();
 * const a = g.input("a", "float32", [2, 3]);
 * const b = g.input("b", "float32", [3, 4]);
 * g.output(g.op("MatMul", [a, b]), "float32", [2, 4]);
 * ```
 */
export class GraphBuilder {
  private readonly inputs: ValueSpec[] = [];
  private readonly outputs: ValueSpec[] = [];
  private readonly nodes: NodeSpec[] = [];
  private readonly constants: ConstantSpec[] = [];

  /** Declares a graph input and returns its name. */
  input(name: string, dtype: GraphDType, dims: readonly (number | string)[]): string {
    this.inputs.push({ name, dtype, dims: dims.slice() });
    return name;
  }

  /** A constant tensor of `dims` holding `values` row-major. */
  constant(dtype: GraphDType, dims: readonly number[], values: readonly number[]): string {
    const name = `c${this.constants.length}`;
    this.constants.push({ name, dtype, dims: dims.slice(), values: values.slice() });
    return name;
  }

  /** A rank-0 constant. */
  scalar(dtype: GraphDType, value: number): string {
    return this.constant(dtype, [], [value]);
  }

  /** A 1-D int64 constant: the axes, shapes, starts and pads that ONNX takes as inputs. */
  int64s(values: readonly number[]): string {
    return this.constant("int64", [values.length], values);
  }

  /** Appends a node with one output and returns the output's name. */
  op(op: string, inputs: readonly string[], attributes: NodeSpec["attributes"] = {}): string {
    const out = `t${this.nodes.length}`;
    this.nodes.push({ op, inputs: inputs.slice(), outputs: [out], attributes });
    return out;
  }

  /** Makes `value` the graph output `out` (through an Identity, which the runtime optimizes away). */
  output(value: string, dtype: GraphDType, dims: readonly (number | string)[], name = "out"): void {
    this.nodes.push({ op: "Identity", inputs: [value], outputs: [name], attributes: {} });
    this.outputs.push({ name, dtype, dims: dims.slice() });
  }

  /** The graph built so far. */
  spec(): GraphSpec {
    return {
      inputs: this.inputs.slice(),
      outputs: this.outputs.slice(),
      nodes: this.nodes.slice(),
      constants: this.constants.slice(),
    };
  }
}

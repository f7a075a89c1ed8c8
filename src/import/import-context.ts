import { allocate, type DType } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import type { Context } from "../base/json.js";
import type { OpOptions } from "../frontend/program-builder.js";
import type { ParamsOf, TensorProgram } from "../frontend/tensor-program.js";
import type { BuiltinKernelId } from "../kernels/library/index.js";
import type { Region } from "../kernels/region.js";
import type { TensorRef } from "../kernels/tensor-ref.js";
import { ZRange } from "../zspace/z-range.js";
import type { OnnxAttribute, OnnxNode } from "./onnx-model.js";
import { type ConstValue, dimsOf, type OnnxValue } from "./onnx-value.js";

/**
 * The state of one import: the program under construction, what each ONNX value name stands
 * for, the constants turned into program inputs (and their values), and the ids in use.
 * Operator translations read their node's inputs and attributes through it.
 */
export class ImportContext {
  private readonly values = new Map<string, OnnxValue>();
  private readonly materialized = new Map<ConstValue, TensorRef>();
  private readonly used = new Set<string>();
  /** Values of the constants that became program inputs, by input id. */
  readonly weights: Record<string, Region> = Object.create(null) as Record<string, Region>;

  constructor(
    /** The program being built. */
    readonly program: TensorProgram,
    /** The default-domain opset the model binds to. */
    readonly opset: number,
    /** Every value name of the model: ids made up for intermediates avoid them. */
    private readonly reserved: ReadonlySet<string>,
  ) {}

  /** Records what value `name` stands for. */
  define(name: string, value: OnnxValue): void {
    if (name !== "") this.values.set(name, value);
  }

  /** What value `name` stands for, if it is defined yet. */
  lookup(name: string): OnnxValue | undefined {
    return this.values.get(name);
  }

  /** Input `i` of `node`, which must be present. */
  input(node: OnnxNode, i: number): OnnxValue {
    const v = this.optional(node, i);
    if (v === undefined) {
      throw this.invalid(node, `input ${i} is required but absent`, { input: i });
    }
    return v;
  }

  /** Input `i` of `node`, or undefined when the node leaves it out (absent or empty name). */
  optional(node: OnnxNode, i: number): OnnxValue | undefined {
    const name = node.inputs[i];
    if (name === undefined || name === "") return undefined;
    const v = this.values.get(name);
    if (v === undefined) {
      throw this.invalid(
        node,
        `input ${i} reads '${name}', which no earlier node, input or initializer defines`,
        {
          input: i,
          value: name,
        },
      );
    }
    return v;
  }

  /** Input `i` of `node` as a program tensor (a constant becomes a program input holding its values). */
  tensor(node: OnnxNode, i: number): TensorRef {
    return this.asTensor(this.input(node, i), node);
  }

  /** `v` as a program tensor: a constant becomes (once) a program input whose values are saved. */
  asTensor(v: OnnxValue, node: OnnxNode): TensorRef {
    if (v.kind === "tensor") return v.ref;
    const known = this.materialized.get(v);
    if (known !== undefined) return known;
    const dtype = tensorDtype(v, node, this);
    const id = this.used.has(v.name) ? this.freshId(v.name) : v.name;
    this.used.add(id);
    const ref = this.program.input(id, v.dims, dtype);
    const data = allocate(dtype, v.values.length);
    data.set(v.values);
    this.weights[id] = { dtype, range: ZRange.fromShape(v.dims), data };
    this.materialized.set(v, ref);
    return ref;
  }

  /** Input `i` of `node`, which must be known at import time (a shape, axes, pads). */
  constInput(node: OnnxNode, i: number, what: string): ConstValue {
    const v = this.input(node, i);
    if (v.kind !== "const") {
      throw this.unsupported(
        node,
        `input ${i} (${what}) is computed at run time; Tessera needs it known when the model is imported`,
        { input: i },
      );
    }
    return v;
  }

  /** Applies built-in kernel `kernel` with a fresh id derived from `base` (an ONNX value name). */
  apply<K extends BuiltinKernelId>(
    kernel: K,
    inputs: Readonly<Record<string, TensorRef | undefined>>,
    params: ParamsOf<K>,
    base: string,
  ): TensorRef {
    const id = this.claim(base);
    const opts: OpOptions = { id };
    return this.program.apply(kernel, inputs, params, opts);
  }

  /** `base` itself when it is the node output being defined and unused; otherwise a fresh id from it. */
  claim(base: string): string {
    const id = this.used.has(base) ? this.freshId(base) : base;
    this.used.add(id);
    return id;
  }

  /** An id `base:<n>` used by nothing in the model or the program. */
  freshId(base: string): string {
    for (let n = 1; ; n++) {
      const id = `${base}:${n}`;
      if (!this.used.has(id) && !this.reserved.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }

  /** Marks `id` as taken (graph inputs). */
  take(id: string): void {
    this.used.add(id);
  }

  /** The dims of input `i` of `node`. */
  dims(node: OnnxNode, i: number): readonly number[] {
    return dimsOf(this.input(node, i));
  }

  /** Integer attribute `name` of `node`, or `fallback`. */
  int(node: OnnxNode, name: string, fallback: number): number {
    const a = node.attributes.get(name);
    if (a === undefined) return fallback;
    return expectKind(this, node, name, a, "int").value;
  }

  /** Float attribute `name` of `node` (an int is accepted), or `fallback`. */
  float(node: OnnxNode, name: string, fallback: number): number {
    const a = node.attributes.get(name);
    if (a === undefined) return fallback;
    if (a.kind === "int") return a.value;
    return expectKind(this, node, name, a, "float").value;
  }

  /** Integer-list attribute `name` of `node`, or `fallback` (undefined when absent and no fallback). */
  ints(node: OnnxNode, name: string): readonly number[] | undefined;
  ints(node: OnnxNode, name: string, fallback: readonly number[]): readonly number[];
  ints(node: OnnxNode, name: string, fallback?: readonly number[]): readonly number[] | undefined {
    const a = node.attributes.get(name);
    if (a === undefined) return fallback;
    return expectKind(this, node, name, a, "ints").value;
  }

  /** String attribute `name` of `node`, or `fallback`. */
  string(node: OnnxNode, name: string, fallback: string): string {
    const a = node.attributes.get(name);
    if (a === undefined) return fallback;
    return expectKind(this, node, name, a, "string").value;
  }

  /** Normalizes axis `axis` (negative counts from the end) for rank `rank`, or throws. */
  axis(node: OnnxNode, axis: number, rank: number): number {
    const a = axis < 0 ? axis + rank : axis;
    if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
      throw this.invalid(node, `axis ${axis} is out of range for rank ${rank}`, { axis, rank });
    }
    return a;
  }

  /** A typed error for a model that is not valid ONNX at `node`. */
  invalid(node: OnnxNode, summary: string, context: Context = {}): TesseraError {
    return new TesseraError("invalid_onnx", `${describe(node)}: ${summary}`, nodeContext(node, context));
  }

  /** A typed error for a valid model whose node uses something Tessera does not translate. */
  unsupported(node: OnnxNode, summary: string, context: Context = {}): TesseraError {
    return new TesseraError(
      "unsupported_onnx_feature",
      `${describe(node)}: ${summary}`,
      nodeContext(node, context),
    );
  }
}

/** `Conv 'conv1'` (or `Conv node #3` when the node has no name), for messages. */
export function describe(node: OnnxNode): string {
  return node.name === "" ? `${node.opType} node #${node.index}` : `${node.opType} '${node.name}'`;
}

function nodeContext(node: OnnxNode, context: Context): Context {
  return { node: node.name, nodeIndex: node.index, opType: node.opType, ...context };
}

function expectKind<K extends OnnxAttribute["kind"]>(
  ctx: ImportContext,
  node: OnnxNode,
  name: string,
  a: OnnxAttribute,
  kind: K,
): Extract<OnnxAttribute, { kind: K }> {
  if (a.kind !== kind) {
    throw ctx.invalid(node, `attribute '${name}' should be ${kind}, found ${a.kind}`, {
      attribute: name,
      expected: kind,
      found: a.kind,
    });
  }
  return a as Extract<OnnxAttribute, { kind: K }>;
}

function tensorDtype(v: ConstValue, node: OnnxNode, ctx: ImportContext): DType {
  switch (v.type) {
    case "float32":
    case "float64":
      return v.type;
    case "int32":
    case "int64":
    case "int8":
    case "uint8":
      if (v.values.every((x) => x === (x | 0))) return "int32";
      break;
    case "bool":
      break;
  }
  throw ctx.unsupported(
    node,
    `constant '${v.name}' of type ${v.type} cannot be a program tensor (float32, float64 or int32 values)`,
    {
      value: v.name,
      type: v.type,
    },
  );
}

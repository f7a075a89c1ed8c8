import type { DType } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import type { JsonValue } from "../base/json.js";
import { ProgramBuilder } from "../frontend/program-builder.js";
import { programToJson } from "../ir/encode-program.js";
import type { Program, Selection } from "../ir/program.js";
import { parseProgram } from "../ir/validate-program.js";
import type { KernelRegistry } from "../kernels/registry.js";
import type { TensorRef } from "../kernels/tensor-ref.js";
import type { VjpEmitter } from "../kernels/vjp.js";

type Doc = { [key: string]: JsonValue };

/**
 * Operations appended to a validated program: a builder in which every tensor of the forward
 * program already exists, so that new calls read forward tensors (activations, weights) by id
 * and derive their signatures at once; `finish` merges forward and appended operations into one
 * program and validates it like any loaded file.
 */
export class BackwardGraph implements VjpEmitter {
  private readonly builder: ProgramBuilder;
  private readonly taken: Set<string>;
  private readonly newInputs: string[] = [];
  private readonly newOutputs: string[] = [];
  private counter = 0;

  constructor(
    readonly forward: Program,
    private readonly registry: KernelRegistry,
    private readonly prefix: string,
  ) {
    this.builder = new ProgramBuilder(registry, forward.name);
    for (const t of forward.tensors) this.builder.input(t.id, t.range.shape.toArray(), t.dtype);
    this.taken = new Set([...forward.tensors.map((t) => t.id), ...forward.operations.map((o) => o.id)]);
  }

  /** A forward tensor, whole. */
  tensor(id: string): TensorRef {
    const t = this.forward.tensors.find((d) => d.id === id)!;
    return withStart(id, t.range.shape.toArray(), t.dtype, t.range.start.toArray());
  }

  /** The part of a tensor an operand selection binds. */
  selection(sel: Selection, dtype: DType): TensorRef {
    return withStart(sel.tensor, sel.range.shape.toArray(), dtype, sel.range.start.toArray());
  }

  /** Applies `kernel` under a fresh operation id (`<prefix>.<n>.<kernel>`) and returns its `out`. */
  call(
    kernel: string,
    inputs: Readonly<Record<string, TensorRef | undefined>>,
    params: Readonly<Record<string, unknown>> = {},
  ): TensorRef {
    let id: string;
    do id = `${this.prefix}.${this.counter++}.${kernel}`;
    while (this.taken.has(id));
    this.taken.add(id);
    const out = this.builder.call(kernel, inputs, params, { id }).out;
    if (out === undefined) throw new Error(`internal: kernel ${kernel} has no output 'out'`);
    return out;
  }

  /** Declares a new program input (an optimizer state), throwing `duplicate_id` when the id is taken. */
  input(id: string, shape: readonly number[], dtype: DType): TensorRef {
    this.claim(id);
    this.newInputs.push(id);
    return this.builder.input(id, shape, dtype);
  }

  /** Marks `t` as a new program output named `name` (copied when it is a forward tensor or already an output). */
  output(name: string, t: TensorRef): void {
    this.claim(name);
    this.builder.output(name, t);
    this.newOutputs.push(name);
  }

  /** The forward program with the appended operations, inputs and outputs, validated. */
  finish(name: string): Program {
    const fwd = programToJson(this.forward) as Doc;
    const added = this.builder.toJson() as Doc;
    const forwardIds = new Set(this.forward.tensors.map((t) => t.id));
    const tensors = (added.tensors as Doc[]).filter((t) => !forwardIds.has(t.id as string));
    const doc = {
      ...fwd,
      name,
      tensors: [...(fwd.tensors as JsonValue[]), ...tensors],
      operations: [...(fwd.operations as JsonValue[]), ...(added.operations as JsonValue[])],
      inputs: [...this.forward.inputs, ...this.newInputs],
      outputs: [...this.forward.outputs, ...this.newOutputs],
    };
    return parseProgram(doc, this.registry);
  }

  private claim(id: string): void {
    if (this.taken.has(id))
      throw new TesseraError(
        "duplicate_id",
        `tensor id '${id}' is already used in program '${this.forward.name ?? ""}'`,
        {
          id,
        },
      );
    this.taken.add(id);
  }
}

function withStart(id: string, shape: number[], dtype: DType, start: number[]): TensorRef {
  return start.every((s) => s === 0) ? { id, shape, dtype } : { id, shape, dtype, start };
}

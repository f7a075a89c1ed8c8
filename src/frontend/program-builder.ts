import type { DType } from "../base/dtype.js";
import { TesseraError, ValidationError } from "../base/errors.js";
import { IssueCollector } from "../base/issue.js";
import type { JsonValue } from "../base/json.js";
import { deriveSignature } from "../ir/derive-signature.js";
import type { Program } from "../ir/program.js";
import { signatureToJson, translateSignature } from "../ir/signature-json.js";
import { parseProgram } from "../ir/validate-program.js";
import type { KernelRegistry } from "../kernels/registry.js";
import type { TensorType } from "../kernels/signature.js";
import type { TensorRef } from "../kernels/tensor-ref.js";
import { ZPoint } from "../zspace/z-point.js";
import { ZRange } from "../zspace/z-range.js";

/** Options every kernel call accepts. */
export interface OpOptions {
  /** The operation id (default `<kernel>_<n>`); single-output tensors take the same id. */
  readonly id?: string;
}

/** Where an operation writes one output: into part of an existing tensor, at `start`. */
export interface OutputPlacement {
  readonly tensor: TensorRef;
  readonly start: readonly number[];
}

// A type alias (not an interface) so that it is assignable to JsonValue.
type SelectionJson = {
  name: string;
  tensor: string;
  range: { start: number[]; end: number[] };
};

/**
 * Builds a program one kernel call at a time. Each call derives the kernel's signature at once,
 * so a shape or dtype error is thrown at the call that caused it, naming the operation, the
 * input and the dimensions; `build()` validates the whole program exactly as a loaded file is.
 */
export class ProgramBuilder {
  private readonly tensors = new Map<string, { dtype: DType; range: ZRange; label?: string }>();
  private readonly operations: Record<string, JsonValue>[] = [];
  private readonly inputIds: string[] = [];
  private readonly outputIds: string[] = [];
  private readonly opIds = new Set<string>();
  private readonly counters = new Map<string, number>();
  private readonly renames = new Map<string, string>();

  constructor(
    private readonly registry: KernelRegistry,
    private readonly name?: string,
  ) {}

  /** Declares a program input of `shape` and `dtype` (default float32). */
  input(name: string, shape: readonly number[], dtype: DType = "float32"): TensorRef {
    this.claimTensorId(name);
    this.tensors.set(name, { dtype, range: ZRange.fromShape(shape) });
    this.inputIds.push(name);
    return { id: name, shape: shape.slice(), dtype };
  }

  /** Declares an output tensor (not an input) to be filled piecewise by later calls' `into` placements. */
  tensor(name: string, shape: readonly number[], dtype: DType = "float32"): TensorRef {
    this.claimTensorId(name);
    this.tensors.set(name, { dtype, range: ZRange.fromShape(shape) });
    return { id: name, shape: shape.slice(), dtype };
  }

  /** Marks `t` as a program output named `name` (renaming it when it is an operation's result). */
  output(name: string, t: TensorRef): void {
    if (this.outputIds.includes(name))
      throw new TesseraError("duplicate_id", `output '${name}' is already declared`, { id: name });
    const current = this.resolve(t.id);
    if (current !== name) {
      const copies =
        t.start !== undefined ||
        this.inputIds.includes(t.id) ||
        this.renames.has(t.id) ||
        this.outputIds.includes(current);
      if (copies) {
        const copy = this.call("copy", { x: t }, {}, { id: name });
        this.outputIds.push(this.resolve(copy.out!.id));
        return;
      }
      this.claimTensorId(name);
      this.renames.set(t.id, name);
    }
    this.outputIds.push(name);
  }

  /**
   * Applies any registered kernel by id and returns its outputs by name. `into` places outputs
   * into part of a tensor declared with `tensor()` instead of creating a new tensor.
   */
  call(
    kernel: string,
    inputs: Readonly<Record<string, TensorRef | undefined>>,
    params: Readonly<Record<string, unknown>>,
    opts: OpOptions & { readonly into?: Readonly<Record<string, OutputPlacement>> } = {},
  ): Record<string, TensorRef> {
    const id = opts.id ?? this.freshId(kernel);
    if (this.opIds.has(id))
      throw new TesseraError("duplicate_id", `operation id '${id}' is used more than once`, { id });
    const bound = Object.entries(inputs).filter((e): e is [string, TensorRef] => e[1] !== undefined);
    const types: Record<string, TensorType> = Object.fromEntries(
      bound.map(([n, t]) => [n, { shape: t.shape, dtype: t.dtype }]),
    );
    const issues = new IssueCollector();
    const path = `/operations/${this.operations.length}`;
    const derived = deriveSignature(this.registry, { id, kernel, params }, types, path, issues);
    if (derived === undefined) throw new ValidationError(issues.issues, "operation");
    const results: Record<string, TensorRef> = {};
    const outputs: SelectionJson[] = [];
    const outNames = Object.keys(derived.signature.outputs);
    for (const name of outNames) {
      const sig = derived.signature.outputs[name]!;
      const placement = opts.into?.[name];
      let tensorId: string;
      let start: number[];
      if (placement === undefined) {
        tensorId = outNames.length === 1 ? id : `${id}.${name}`;
        this.claimTensorId(tensorId);
        this.tensors.set(tensorId, { dtype: sig.dtype, range: ZRange.fromShape(sig.shape) });
        start = sig.shape.map(() => 0);
      } else {
        tensorId = placement.tensor.id;
        start = placement.start.slice();
      }
      outputs.push({ name, tensor: tensorId, range: ZRange.fromStartShape(start, sig.shape).toJSON() });
      results[name] = {
        id: tensorId,
        shape: sig.shape.slice(),
        dtype: sig.dtype,
        ...(placement === undefined ? {} : { start }),
      };
    }
    const starts = (sels: readonly SelectionJson[]) =>
      new Map(sels.map((s) => [s.name, ZPoint.from(s.range.start)]));
    const inputSels: SelectionJson[] = bound.map(([n, t]) => ({
      name: n,
      tensor: t.id,
      range: ZRange.fromStartShape(t.start ?? t.shape.map(() => 0), t.shape).toJSON(),
    }));
    const signature = translateSignature(derived.signature, starts(inputSels), starts(outputs));
    this.opIds.add(id);
    this.operations.push({
      id,
      kernel,
      params: JSON.parse(JSON.stringify(params)) as JsonValue,
      inputs: inputSels,
      outputs,
      index: signature.index.toJSON(),
      signature: signatureToJson(signature) as unknown as JsonValue,
    });
    return results;
  }

  /** The program document (JSON), with output renames applied. */
  toJson(): JsonValue {
    const r = (id: string) => this.resolve(id);
    const renameSel = (s: unknown) => {
      const sel = s as SelectionJson;
      return { ...sel, tensor: r(sel.tensor) };
    };
    // A deep copy: editing the returned document must not change the builder or later builds.
    const doc = {
      version: 1,
      kind: "program",
      ...(this.name === undefined ? {} : { name: this.name }),
      tensors: [...this.tensors].map(([id, t]) => ({ id: r(id), dtype: t.dtype, range: t.range.toJSON() })),
      operations: this.operations.map((o) => ({
        ...o,
        inputs: (o.inputs as unknown[]).map(renameSel),
        outputs: (o.outputs as unknown[]).map(renameSel),
      })),
      inputs: this.inputIds.slice(),
      outputs: this.outputIds.slice(),
    };
    return JSON.parse(JSON.stringify(doc)) as JsonValue;
  }

  /** The validated program (throws `ValidationError` listing every issue). */
  build(): Program {
    return parseProgram(this.toJson(), this.registry);
  }

  /** A fresh `<prefix>_<n>` id not used by any operation or tensor. */
  protected freshId(prefix: string): string {
    for (let n = this.counters.get(prefix) ?? 0; ; n++) {
      const id = `${prefix}_${n}`;
      if (!this.opIds.has(id) && !this.tensorIdTaken(id)) {
        this.counters.set(prefix, n + 1);
        return id;
      }
    }
  }

  private resolve(id: string): string {
    return this.renames.get(id) ?? id;
  }

  private tensorIdTaken(id: string): boolean {
    return this.tensors.has(id) || [...this.renames.values()].includes(id);
  }

  private claimTensorId(id: string): void {
    if (this.tensorIdTaken(id))
      throw new TesseraError("duplicate_id", `tensor id '${id}' is already used in this program`, { id });
  }
}

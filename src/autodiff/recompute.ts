import { TesseraError } from "../base/errors.js";
import { tensorWriters } from "../ir/dependencies.js";
import type { Operation, Program, Selection, TensorDecl } from "../ir/program.js";
import type { TensorRef } from "../kernels/tensor-ref.js";
import type { BackwardGraph } from "./backward-graph.js";

/** The kernels whose outputs `"cheap"` recomputes: elementwise unary kernels and the normalizations. */
export const CHEAP_KERNELS: ReadonlySet<string> = new Set([
  "neg",
  "abs",
  "exp",
  "log",
  "sqrt",
  "relu",
  "gelu",
  "sigmoid",
  "tanh",
  "sign",
  "scale",
  "softmax",
  "layer_norm",
]);

/**
 * Which forward activations the backward recomputes instead of keeping: tensor ids, or
 * `"cheap"` for every output of a `CHEAP_KERNELS` operation.
 */
export type RecomputeChoice = readonly string[] | "cheap";

/**
 * Reads forward tensors for the backward pass. A tensor chosen for recomputation is not read
 * where the forward left it: the first backward read emits a copy of its producer (reading the
 * producer's inputs the same way, so chains of chosen tensors recompute from the nearest kept
 * one), and later reads share that copy. The appended copy runs where the backward first needs
 * it, since devices run tasks in program order, so the forward's tensor dies after its last
 * forward reader instead of living until the backward: less memory, more compute.
 */
export class ForwardReader {
  private readonly producers = new Map<string, Operation>();
  private readonly chosen: ReadonlySet<string>;
  private readonly copies = new Map<string, TensorRef>();

  constructor(
    private readonly graph: BackwardGraph,
    program: Program,
    private readonly decls: ReadonlyMap<string, TensorDecl>,
    choice: RecomputeChoice,
  ) {
    // A tensor's producer is its last writer, as evaluation leaves it.
    for (const [tensor, ks] of tensorWriters(program.operations))
      this.producers.set(tensor, program.operations[ks.at(-1)!]!);
    this.chosen = new Set(
      choice === "cheap"
        ? cheapActivations(program, decls)
        : checkChoice(choice, program, decls, this.producers),
    );
  }

  /** The part of a forward tensor that `sel` binds: the tensor itself, or from its recomputed copy. */
  read(sel: Selection): TensorRef {
    const decl = this.decls.get(sel.tensor)!;
    if (!this.chosen.has(sel.tensor)) return this.graph.selection(sel, decl.dtype);
    const whole = this.copy(sel.tensor);
    if (sel.range.equals(decl.range)) return whole;
    const origin = decl.range.start.coords;
    const start = sel.range.start.coords.map((s, d) => s - origin[d]!);
    const end = sel.range.end.coords.map((e, d) => e - origin[d]!);
    return this.graph.call("slice", { x: whole }, { start, end });
  }

  private copy(id: string): TensorRef {
    const done = this.copies.get(id);
    if (done !== undefined) return done;
    const op = this.producers.get(id)!;
    const inputs = Object.fromEntries(op.inputs.map((s) => [s.name, this.read(s)]));
    const t = this.graph.call(op.kernel, inputs, op.params);
    this.copies.set(id, t);
    return t;
  }
}

/**
 * The outputs of `CHEAP_KERNELS` operations that are worth recomputing: written whole by their
 * one operation, and not program outputs (those stay allocated to the end anyway).
 */
function cheapActivations(program: Program, decls: ReadonlyMap<string, TensorDecl>): string[] {
  return program.operations
    .filter((o) => CHEAP_KERNELS.has(o.kernel) && o.outputs.length === 1)
    .map((o) => o.outputs[0]!)
    .filter((s) => !program.outputs.includes(s.tensor) && s.range.equals(decls.get(s.tensor)!.range))
    .map((s) => s.tensor);
}

/** The chosen ids, checked: each a tensor written whole by one single-output operation. */
function checkChoice(
  ids: readonly string[],
  program: Program,
  decls: ReadonlyMap<string, TensorDecl>,
  producers: ReadonlyMap<string, Operation>,
): string[] {
  for (const id of ids) {
    const decl = decls.get(id);
    if (decl === undefined)
      throw new TesseraError(
        "unknown_tensor",
        `recompute names '${id}', which is not a tensor of the program`,
        {
          tensor: id,
          role: "recompute",
        },
      );
    const writers = program.operations.filter((o) => o.outputs.some((s) => s.tensor === id));
    const op = producers.get(id);
    const whole =
      writers.length === 1 &&
      op !== undefined &&
      op.outputs.length === 1 &&
      op.outputs[0]!.range.equals(decl.range);
    if (!whole) {
      const why = op === undefined ? "a program input" : "not written whole by one single-output operation";
      throw new TesseraError("invalid_argument", `cannot recompute tensor '${id}': it is ${why}`, {
        argument: "recompute",
        tensor: id,
      });
    }
  }
  return ids.slice();
}

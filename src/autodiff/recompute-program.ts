import { TesseraError } from "../base/errors.js";
import { tensorWriters } from "../ir/dependencies.js";
import type { Operation, Program, Selection, TensorDecl } from "../ir/program.js";
import { backwardReads, forwardTensors } from "./forward-tensors.js";
import { CHEAP_KERNELS } from "./recompute.js";

/** A program with some activations recomputed, and which operation each copy copies. */
export interface RecomputedProgram {
  readonly program: Program;
  /** Copy operation id → the id of the operation it copies. */
  readonly copies: Readonly<Record<string, string>>;
}

/**
 * The activations of a training step that a plan may recompute, in program order: forward
 * tensors (see `forwardTensors`) that an operation outside the forward reads (the backward),
 * written whole by one single-output operation, and neither program inputs nor outputs (those
 * stay allocated anyway). Empty for a program with no backward readers: a forward program.
 */
export function recomputableActivations(program: Program): string[] {
  const forward = forwardTensors(program);
  const decls = new Map(program.tensors.map((t) => [t.id, t]));
  const writers = tensorWriters(program.operations);
  const readByBackward = backwardReads(program, forward);
  const outputs = new Set(program.outputs);
  return program.tensors
    .map((t) => t.id)
    .filter((id) => {
      if (!forward.has(id) || !readByBackward.has(id) || outputs.has(id)) return false;
      const at = writers.get(id) ?? [];
      const op = at.length === 1 ? program.operations[at[0]!]! : undefined;
      return op !== undefined && op.outputs.length === 1 && op.outputs[0]!.range.equals(decls.get(id)!.range);
    });
}

/** The recomputable activations (`recomputableActivations`) that `CHEAP_KERNELS` operations write. */
export function cheapRecomputable(program: Program): string[] {
  const kernel = new Map(
    program.operations.flatMap((o) => o.outputs.map((s) => [s.tensor, o.kernel] as const)),
  );
  return recomputableActivations(program).filter((id) => CHEAP_KERNELS.has(kernel.get(id)!));
}

/** One bad entry of a recompute set: its position, and the error it makes. */
export interface RecomputeIssue {
  readonly index: number;
  readonly code: "not_recomputable" | "duplicate_id";
  readonly summary: string;
  readonly context: Readonly<Record<string, string | number>>;
}

/**
 * What is wrong with a recompute set, one issue per bad entry: `not_recomputable` for an id
 * that is not one of `recomputableActivations(program)`, `duplicate_id` for one listed twice.
 * Empty when the set is fine.
 */
export function recomputeIssues(program: Program, tensors: readonly string[]): RecomputeIssue[] {
  const allowed = new Set(recomputableActivations(program));
  const seen = new Set<string>();
  const issues: RecomputeIssue[] = [];
  tensors.forEach((id, index) => {
    if (seen.has(id))
      issues.push({
        index,
        code: "duplicate_id",
        summary: `recompute names tensor '${id}' twice`,
        context: { tensor: id },
      });
    else if (!allowed.has(id)) issues.push({ index, ...notRecomputable(program, id, allowed) });
    seen.add(id);
  });
  return issues;
}

/**
 * `program` with `tensors` recomputed for the backward instead of kept: before the first
 * operation outside the forward that reads a chosen tensor, a copy of its producer is inserted
 * (reading the producer's inputs the same way, so a chain of chosen tensors recomputes from
 * the nearest kept one), and every backward read of the tensor reads the copy instead. Devices
 * run tasks in program order, so the forward's tensor dies after its last forward reader.
 * The numbers are the same as `program`'s, bit for bit.
 *
 * Copies are named `recompute.<op>` writing `recompute.<tensor>` (with `.2`, `.3`, … when
 * taken). Throws the first of `recomputeIssues` as a `TesseraError`.
 */
export function recomputeProgram(program: Program, tensors: readonly string[]): RecomputedProgram {
  const first = recomputeIssues(program, tensors)[0];
  if (first !== undefined) throw new TesseraError(first.code, first.summary, first.context);
  const chosen = new Set(tensors);
  const forward = forwardTensors(program);
  const writers = tensorWriters(program.operations);
  const opIds = new Set(program.operations.map((o) => o.id));
  const tensorIds = new Set(program.tensors.map((t) => t.id));
  const fresh = (taken: Set<string>, base: string) => {
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}.${n}`;
    taken.add(id);
    return id;
  };

  const operations: Operation[] = [];
  const added: TensorDecl[] = [];
  const copyOf = new Map<string, string>();
  const copies: Record<string, string> = {};
  const reading = (sels: readonly Selection[]): readonly Selection[] =>
    sels.some((s) => chosen.has(s.tensor))
      ? sels.map((s) => (chosen.has(s.tensor) ? { ...s, tensor: copy(s.tensor) } : s))
      : sels;
  const copy = (id: string): string => {
    const done = copyOf.get(id);
    if (done !== undefined) return done;
    const op = program.operations[writers.get(id)!.at(-1)!]!;
    const inputs = reading(op.inputs);
    const tensor = fresh(tensorIds, `recompute.${id}`);
    const opId = fresh(opIds, `recompute.${op.id}`);
    const decl = program.tensors.find((t) => t.id === id)!;
    added.push({ id: tensor, dtype: decl.dtype, range: decl.range });
    operations.push({ ...op, id: opId, inputs, outputs: [{ ...op.outputs[0]!, tensor }] });
    copyOf.set(id, tensor);
    copies[opId] = op.id;
    return tensor;
  };
  for (const op of program.operations) {
    const backward = !op.outputs.some((s) => forward.has(s.tensor));
    // `reading` pushes the copies this operation is the first to need, so they land before it.
    const inputs = backward ? reading(op.inputs) : op.inputs;
    operations.push(inputs === op.inputs ? op : { ...op, inputs });
  }
  return { program: { ...program, tensors: [...program.tensors, ...added], operations }, copies };
}

function notRecomputable(
  program: Program,
  id: string,
  allowed: ReadonlySet<string>,
): Pick<RecomputeIssue, "code" | "summary" | "context"> {
  const known = program.tensors.some((t) => t.id === id);
  const why = !known
    ? "not a tensor of the program"
    : program.inputs.includes(id)
      ? "a program input"
      : program.outputs.includes(id)
        ? "a program output"
        : "not an activation of the forward pass that the backward reads, written whole by one single-output operation";
  const some = [...allowed].slice(0, 5);
  const hint =
    allowed.size === 0
      ? " (the program has no backward pass reading its forward activations)"
      : ` (recomputable: ${some.join(", ")}${allowed.size > some.length ? ", …" : ""})`;
  return {
    code: "not_recomputable",
    summary: `cannot recompute tensor '${id}': it is ${why}${hint}`,
    context: { tensor: id, recomputable: allowed.size },
  };
}

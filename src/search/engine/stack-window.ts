import { TesseraError } from "../../base/errors.js";
import { tensorWriters } from "../../ir/dependencies.js";
import type { Program } from "../../ir/program.js";
import { findRepeatedBlocks, type RepeatedBlock } from "../../ir/repeated-blocks.js";
import type { PlanChoice } from "./plan-choice.js";

/**
 * The fewest copies of a layer for which planning two of them and tiling pays: below it the
 * window is most of the program anyway.
 */
export const MIN_STACK_REPEATS = 4;

/**
 * Two consecutive layers of a program's stack of repeated layers, as a program of their own,
 * and the way back: a plan of the window tiles the whole stack.
 *
 * The window holds the stack's first two copies. The second copy reads its inputs from a copy
 * planned like itself, as every later copy does, so its choices are the ones tiled; the first
 * copy is there to make the hand-over between layers (the activations the next layer reads,
 * where they are) part of what the window's plans are judged by.
 */
export interface StackWindow {
  /** The stack, in the program's operation positions. */
  readonly block: RepeatedBlock;
  /** The stack's first two copies: their operations as they are, the tensors they read from outside as inputs. */
  readonly program: Program;
  /**
   * The program's choices: each stack operation takes those of its twin in the window's second
   * copy (`window`, by operation id), every other operation those of `outside`. Throws
   * `plan_mismatch` when either lacks an operation it must give.
   */
  tile(window: readonly PlanChoice[], outside: readonly PlanChoice[]): PlanChoice[];
}

/**
 * The window of the program's largest stack (`findRepeatedBlocks`, most operations covered),
 * when that stack has at least `MIN_STACK_REPEATS` copies and at least half of the program's
 * operations; `undefined` otherwise, or when a tensor the window touches is written both
 * inside and outside it (the window could then not stand alone).
 */
export function stackWindow(program: Program): StackWindow | undefined {
  const ops = program.operations;
  let block: RepeatedBlock | undefined;
  for (const b of findRepeatedBlocks(program, ops))
    if (block === undefined || b.length * b.repeats > block.length * block.repeats) block = b;
  if (
    block === undefined ||
    block.repeats < MIN_STACK_REPEATS ||
    2 * block.length * block.repeats < ops.length
  )
    return undefined;
  const first = block.start;
  const end = first + 2 * block.length;
  const windowOps = ops.slice(first, end);

  const writers = tensorWriters(ops);
  const written = new Set(windowOps.flatMap((op) => op.outputs.map((s) => s.tensor)));
  const read = new Set(windowOps.flatMap((op) => op.inputs.map((s) => s.tensor)));
  for (const t of new Set([...written, ...read])) {
    const inside = (writers.get(t) ?? []).map((w) => w >= first && w < end);
    if (inside.includes(true) && inside.includes(false)) return undefined;
  }
  const programOutputs = new Set(program.outputs);
  const inputs = [...read].filter((t) => !written.has(t));
  const outputs = [...written].filter((t) => !read.has(t) || programOutputs.has(t));
  const kept = new Set([...inputs, ...written]);
  const window: Program = {
    version: program.version,
    name: `${program.name ?? "program"}: layers 1–2 of ${block.repeats}`,
    tensors: program.tensors.filter((t) => kept.has(t.id)),
    operations: windowOps,
    inputs,
    outputs,
  };
  const stack = block;
  return {
    block,
    program: window,
    tile(windowChoices, outside) {
      const inWindow = new Map(windowChoices.map((c) => [c.op, c]));
      const elsewhere = new Map(outside.map((c) => [c.op, c]));
      const stackEnd = stack.start + stack.length * stack.repeats;
      return ops.map((op, k): PlanChoice => {
        const twin =
          k >= stack.start && k < stackEnd
            ? ops[first + stack.length + ((k - first) % stack.length)]!
            : undefined;
        const from = twin === undefined ? elsewhere.get(op.id) : inWindow.get(twin.id);
        if (from === undefined) {
          throw new TesseraError(
            "plan_mismatch",
            `tiling the stack: no choice for operation '${twin?.id ?? op.id}'${twin === undefined ? "" : ` (the twin of '${op.id}')`}`,
            { op: twin?.id ?? op.id },
          );
        }
        return { ...from, op: op.id };
      });
    },
  };
}

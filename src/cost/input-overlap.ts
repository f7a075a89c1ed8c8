import { TesseraError } from "../base/errors.js";
import type { OpReads } from "../plan/op-reads.js";
import type { ProgramFacts } from "../plan/program-facts.js";
import type { ZRange } from "../zspace/z-range.js";

/** The operation position of `op`, or `plan_mismatch`. */
export function opPosition(facts: ProgramFacts, op: string): number {
  const k = facts.opIndex.get(op);
  if (k === undefined)
    throw new TesseraError("plan_mismatch", `the program has no operation '${op}'`, { op });
  return k;
}

/**
 * Per tensor position, 1 for a program input of which two distinct regions read by some tasks
 * overlap (halos, broadcasts). Where none do, the bytes a device holds of a pre-distributed
 * input are simply the sum of the distinct regions it reads. With `previous` and `ops`, only
 * the inputs those operations read are re-examined (the rest is copied).
 */
export function overlappingInputs(
  facts: ProgramFacts,
  reads: readonly OpReads[],
  previous?: Uint8Array,
  ops?: readonly number[],
): Uint8Array {
  const out = previous === undefined ? new Uint8Array(facts.program.tensors.length) : previous.slice();
  const tensors = new Set<string>();
  for (const k of ops ?? facts.program.operations.map((_, i) => i))
    for (const sel of facts.program.operations[k]!.inputs)
      if (facts.inputs.has(sel.tensor)) tensors.add(sel.tensor);
  for (const tensor of tensors) {
    const t = facts.tensorIndex.get(tensor)!;
    const byKey = new Map<number, ZRange>();
    for (const k of facts.readers.get(tensor) ?? []) {
      const r = reads[k]!;
      for (let p = 0; p < r.srcOp.length; p++) {
        if (r.srcOp[p]! < 0 && r.srcTask[p] === t) byKey.set(r.key[p]!, r.info[p]!.region);
      }
    }
    const list = [...byKey.values()];
    out[t] = list.some((a, i) => list.slice(i + 1).some((b) => a.intersects(b))) ? 1 : 0;
  }
  return out;
}

import { DTYPE_BYTES } from "../base/dtype.js";
import type { IssueCollector } from "../base/issue.js";
import { tilingDefect } from "../zspace/tiling.js";
import type { ZRange } from "../zspace/z-range.js";
import type { Operation, TensorDecl } from "./program.js";

/**
 * Records the program-wide write rules: no operation writes a program input
 * (`input_written`), no element is written twice (`write_conflict`), and every tensor that is
 * not an input is written completely (`unwritten_tensor`).
 */
export function checkWrites(
  ops: readonly Operation[],
  tensors: ReadonlyMap<string, TensorDecl>,
  inputs: ReadonlySet<string>,
  issues: IssueCollector,
): void {
  const writes = new Map<string, { op: number; out: number; range: ZRange }[]>();
  ops.forEach((op, i) => {
    op.outputs.forEach((s, j) => {
      const list = writes.get(s.tensor) ?? [];
      list.push({ op: i, out: j, range: s.range });
      writes.set(s.tensor, list);
    });
  });
  for (const t of tensors.values()) {
    const ws = writes.get(t.id) ?? [];
    if (inputs.has(t.id)) {
      for (const w of ws) {
        issues.add(
          "input_written",
          `/operations/${w.op}/outputs/${w.out}`,
          `operation '${ops[w.op]!.id}' writes program input '${t.id}'`,
          { op: ops[w.op]!.id, tensor: t.id },
        );
      }
      continue;
    }
    const defect = tilingDefect(
      ws.map((w) => w.range),
      t.range,
    );
    if (defect?.kind === "overlap") {
      const a = ws[defect.first]!;
      const b = ws[defect.second]!;
      issues.add(
        "write_conflict",
        `/operations/${b.op}/outputs/${b.out}`,
        `operations '${ops[a.op]!.id}' and '${ops[b.op]!.id}' both write ${defect.common} of tensor '${t.id}'`,
        { tensor: t.id, ops: [ops[a.op]!.id, ops[b.op]!.id], region: defect.common.toJSON() },
      );
    } else if (defect?.kind === "gap") {
      const bytes = defect.missing * DTYPE_BYTES[t.dtype];
      issues.add(
        "unwritten_tensor",
        `/tensors/${[...tensors.keys()].indexOf(t.id)}`,
        `tensor '${t.id}' is neither a program input nor fully written: ${defect.missing} of ${t.range.size} elements (${bytes} bytes) are never written`,
        {
          tensor: t.id,
          missing: defect.missing,
        },
      );
    }
  }
}

import { DTYPE_BYTES } from "../base/dtype.js";
import type { Operation, Program } from "../ir/program.js";
import { formatBytes } from "../report/units.js";
import { tilingDefect } from "../zspace/tiling.js";
import type { DimSplit } from "../zspace/z-range.js";
import { textTable } from "./text-table.js";

/**
 * Text showing how an operation's index space is cut into shards and which region of each
 * operand every shard reads or writes, all by projecting the shard's index box through the
 * operation's stored signature; then what the geometry implies (tiling, partial sums, reads).
 */
export function operationGeometry(program: Program, op: Operation, splits: readonly DimSplit[]): string {
  const sig = op.signature;
  const names = sig.indexNames;
  const shards = op.index.split(splits);
  const reductions = new Set(sig.reductions.map((r) => r.dim));
  const dtypeOf = (tensor: string) => program.tensors.find((t) => t.id === tensor)!.dtype;
  const lines: string[] = [];
  const dims = names
    .map((n, i) => `${n}=${op.index.shape.coords[i]}${reductions.has(i) ? " (Σ)" : ""}`)
    .join(", ");
  lines.push(`Operation '${op.id}' (${op.kernel}): index space ${op.index}, dims ${dims}`);
  for (const s of op.inputs)
    lines.push(`  reads  ${s.name} = ${s.tensor}${s.range}  through ${sig.inputs[s.name]!.projection}`);
  for (const s of op.outputs)
    lines.push(`  writes ${s.name} = ${s.tensor}${s.range}  through ${sig.outputs[s.name]!.projection}`);
  const desc = splits
    .map((s) => `${names[s.dim]} ${"parts" in s ? `in ${s.parts}` : `at ${s.cuts.join("/")}`}`)
    .join(", ");
  lines.push("", `Split ${desc} → ${shards.length} shards:`, "");
  const headers = [
    "shard",
    "index box",
    ...op.inputs.map((s) => `reads ${s.name}`),
    ...op.outputs.map((s) => `writes ${s.name}`),
  ];
  let readBytes = 0;
  const rows = shards.map((box, i) => {
    const ins = op.inputs.map((s) => {
      const r = sig.inputs[s.name]!.projection.applyRange(box).intersect(s.range);
      readBytes += r.size * DTYPE_BYTES[dtypeOf(s.tensor)];
      return r.toString();
    });
    const outs = op.outputs.map((s) => sig.outputs[s.name]!.projection.applyRange(box).toString());
    return [String(i), box.toString(), ...ins, ...outs];
  });
  lines.push(
    ...textTable(headers, rows, ["right"])
      .split("\n")
      .map((l) => `  ${l}`),
  );
  const whole = op.inputs.reduce((acc, s) => acc + s.range.size * DTYPE_BYTES[dtypeOf(s.tensor)], 0);
  const defect = tilingDefect(shards, op.index);
  const splitReductions = splits.filter((s) => reductions.has(s.dim));
  lines.push("", "Derived from the projections alone:");
  lines.push(
    `  • the shards tile the index space exactly: ${defect === undefined ? "yes" : `no (${defect.kind})`}`,
  );
  if (splitReductions.length > 0) {
    const monoid = sig.reductions[0]!.monoid;
    const parts = splitReductions
      .map((s) => ("parts" in s ? s.parts : s.cuts.length + 1))
      .reduce((a, b) => a * b, 1);
    lines.push(
      `  • the reduction is split: each output block is ${parts} partial results folded with ${monoid}`,
    );
  }
  lines.push(
    `  • shards read ${formatBytes(readBytes)} in total vs ${formatBytes(whole)} of inputs: ${(readBytes / whole).toFixed(2)}× (replication from splitting the other dims)`,
  );
  return lines.join("\n");
}

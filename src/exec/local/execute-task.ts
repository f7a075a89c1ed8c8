import { IssueCollector } from "../../base/issue.js";
import { nullRecord } from "../../base/json.js";
import type { Operation } from "../../ir/program.js";
import type { AnyKernelDef } from "../../kernels/kernel.js";
import { MONOID_FOLD } from "../../kernels/numeric/monoid.js";
import { type Region, writeRegion, zeroRegion } from "../../kernels/region.js";
import type { KernelBackend } from "../backend/kernel-backend.js";
import type { CombineOrder, OutputRef, PieceRef, ShardOrder } from "./protocol.js";
import type { RegionStore } from "./region-store.js";
import { rangeFromWire } from "./region-wire.js";

/** What a worker knows about one operation: the parsed operation, its kernel and decoded params. */
export interface PreparedOperation {
  readonly op: Operation;
  readonly def: AnyKernelDef;
  readonly params: unknown;
}

/** Decodes an operation's params once (throws when they do not decode, which validation prevents). */
export function prepareOperation(op: Operation, def: AnyKernelDef): PreparedOperation {
  const issues = new IssueCollector();
  const params = def.decodeParams(op.params, issues, `/operations/${op.id}/params`);
  if (params === undefined) throw new Error(`params do not decode: ${issues.issues[0]?.summary ?? "?"}`);
  return { op, def, params };
}

/**
 * One input operand's region, assembled from the pieces the graph says tile it: the region
 * read from the store as is when one piece is the whole of it, else a fresh region with each
 * piece written in. An empty need (the shard reads nothing of this operand) is an empty region.
 */
function assemble(
  need: ShardOrder["needs"][number],
  pieces: readonly PieceRef[],
  store: RegionStore,
): Region {
  const range = rangeFromWire(need.range);
  const mine = pieces.filter((p) => p.operand === need.operand);
  if (mine.length === 1) {
    const only = mine[0]!;
    const box = rangeFromWire(only.range);
    if (box.equals(range)) return store.get(only.key, box);
  }
  const out = zeroRegion(need.dtype, range);
  for (const p of mine) writeRegion(out, store.get(p.key, rangeFromWire(p.range)));
  return out;
}

function storeOutputs(
  outputs: readonly OutputRef[],
  values: Readonly<Record<string, Region>>,
  store: RegionStore,
): void {
  for (const o of outputs) {
    const value = values[o.name];
    if (value === undefined) throw new Error(`the kernel produced no output '${o.name}'`);
    const expected = rangeFromWire(o.range);
    if (!value.range.equals(expected))
      throw new Error(`output '${o.name}' covers ${value.range}, expected ${expected}`);
    store.put(o.key, value);
  }
}

/** Runs a shard task: assembles its inputs from `store`, runs the kernel on `backend`, stores the outputs. */
export async function runShard(
  order: ShardOrder,
  prepared: PreparedOperation,
  backend: KernelBackend,
  store: RegionStore,
): Promise<void> {
  const inputs = nullRecord<Region>();
  for (const need of order.needs) inputs[need.operand] = assemble(need, order.pieces, store);
  const values = await backend.run(prepared.def, {
    params: prepared.params,
    signature: prepared.op.signature,
    index: rangeFromWire(order.range),
    inputs,
  });
  storeOutputs(order.outputs, values, store);
}

/**
 * Runs a combine task: folds the partials of each output elementwise with the monoid, in the
 * order of the parts (the first part's values start the fold, so no identity element has to
 * be representable in the dtype: int32 has no -Infinity for `max`).
 */
export function runCombine(order: CombineOrder, store: RegionStore): void {
  const fold = MONOID_FOLD[order.monoid];
  const values = nullRecord<Region>();
  for (const o of order.outputs) {
    const range = rangeFromWire(o.range);
    const out = zeroRegion(o.dtype, range);
    const parts = order.pieces.filter((p) => p.operand === o.name);
    parts.forEach((p, i) => {
      const part = store.get(p.key, rangeFromWire(p.range));
      if (!part.range.equals(range))
        throw new Error(`partial ${p.key} covers ${part.range}, expected ${range}`);
      if (i === 0) {
        out.data.set(part.data);
        return;
      }
      const a = out.data;
      const b = part.data;
      for (let k = 0; k < a.length; k++) a[k] = fold(a[k]!, b[k]!);
    });
    values[o.name] = out;
  }
  storeOutputs(order.outputs, values, store);
}

import { DTYPE_BYTES } from "../base/dtype.js";
import type { TaskGraph } from "../plan/task-graph.js";
import type { ZRange } from "../zspace/z-range.js";

/** A region of a tensor's final value and the device that holds it (null: pre-distributed). */
export interface HeldRegion {
  readonly region: ZRange;
  readonly device: string | null;
  /** Where the value comes from: `written by op#k`, or `program input`. */
  readonly by: string;
}

/** A region of a tensor that a device's shard tasks read, and which tasks and operands read it. */
export interface ReadRegion {
  readonly region: ZRange;
  readonly device: string;
  readonly by: readonly string[];
}

/** Who holds and who reads which part of one tensor under a plan, and the bytes per device. */
export interface TensorShares {
  readonly holds: readonly HeldRegion[];
  readonly reads: readonly ReadRegion[];
  /** Bytes of the final value each device holds (key `""` for pre-distributed inputs). */
  readonly heldBytes: ReadonlyMap<string, number>;
  /** Bytes each device's shards read, each distinct region counted once per device. */
  readonly readBytes: ReadonlyMap<string, number>;
  /** Bytes of the tensor's final value each device receives from other devices. */
  readonly receivedBytes: ReadonlyMap<string, number>;
}

const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);

/**
 * The shares of tensor `tensor` in a task graph: its final writers, and per device the distinct
 * regions its shard tasks read (for each task and operand, the bounding box of its pieces,
 * which tile the region read, halos included). Combine tasks are left out: they read partial
 * sums, not the tensor's value.
 */
export function tensorShares(
  graph: TaskGraph,
  tensor: string,
  dtype: keyof typeof DTYPE_BYTES,
): TensorShares {
  const bytes = DTYPE_BYTES[dtype];
  const holds: HeldRegion[] = (graph.writers[tensor] ?? []).map((w) => ({
    region: w.region,
    device: w.device,
    by: w.source.kind === "task" ? `written by ${w.source.task}` : "program input",
  }));
  const heldBytes = new Map<string, number>();
  for (const h of holds) add(heldBytes, h.device ?? "", h.region.size * bytes);
  const reads = new Map<string, { region: ZRange; device: string; by: string[] }>();
  const readBytes = new Map<string, number>();
  for (const task of graph.tasks) {
    if (task.kind !== "shard") continue;
    const byOperand = new Map<string, ZRange>();
    for (const p of graph.reads[task.id] ?? []) {
      if (p.tensor !== tensor) continue;
      const prev = byOperand.get(p.operand);
      byOperand.set(p.operand, prev === undefined ? p.region : prev.boundingUnion(p.region));
    }
    for (const [operand, region] of byOperand) {
      const key = `${task.device}|${region}`;
      const who = `${task.id} (${operand})`;
      const known = reads.get(key);
      if (known !== undefined) known.by.push(who);
      else {
        reads.set(key, { region, device: task.device, by: [who] });
        add(readBytes, task.device, region.size * bytes);
      }
    }
  }
  const receivedBytes = new Map<string, number>();
  for (const t of graph.transfers) if (t.tensor === tensor && !t.partial) add(receivedBytes, t.to, t.bytes);
  return { holds, reads: [...reads.values()], heldBytes, readBytes, receivedBytes };
}

import type { Region } from "../../kernels/region.js";
import type { Plan } from "../../plan/plan.js";
import type { TaskGraph } from "../../plan/task-graph.js";
import { sourceKey } from "../../plan/task-graph.js";
import type { ZRange } from "../../zspace/z-range.js";

/** A program-input region a device holds before anything runs. */
export interface InitialLoad {
  readonly device: string;
  readonly key: string;
  readonly value: Region;
  readonly range: ZRange;
}

/**
 * What each device holds at the start. A home-placed input (`{ tensor, device }`) lives whole on
 * its device, and other devices receive their parts through the graph's transfers. A
 * pre-distributed input is already in place: each device holds exactly the pieces its tasks
 * read from it (once per distinct region), and nothing of it is ever transferred.
 */
export function initialLoads(
  plan: Plan,
  graph: TaskGraph,
  inputs: Readonly<Record<string, Region>>,
): InitialLoad[] {
  const loads: InitialLoad[] = [];
  for (const p of plan.inputs) {
    if (p.device === undefined) continue;
    const value = inputs[p.tensor]!;
    loads.push({
      device: p.device,
      key: sourceKey({ kind: "input", tensor: p.tensor }),
      value,
      range: value.range,
    });
  }
  const seen = new Set<string>();
  for (const task of graph.tasks) {
    for (const piece of graph.reads[task.id] ?? []) {
      if (piece.fromDevice !== null || piece.source.kind !== "input") continue;
      const key = sourceKey(piece.source);
      const id = `${task.device}|${key}|${piece.region}`;
      if (seen.has(id)) continue;
      seen.add(id);
      loads.push({ device: task.device, key, value: inputs[piece.source.tensor]!, range: piece.region });
    }
  }
  return loads;
}

import { parseCluster } from "../cluster/parse-cluster.js";
import { simulatePlan } from "../cost/simulator.js";
import type { Plan } from "../plan/plan.js";
import { type CombineTask, sourceKey, type TaskGraph } from "../plan/task-graph.js";
import type { ZRange } from "../zspace/z-range.js";
import type { CollectiveGroup, CollectivePlan } from "./collective-plan.js";
import { pyBox, pyString, pyTuple } from "./py-code.js";

/**
 * A cluster of `n` identical devices on one host: the simulator needs one to recognise
 * collectives, and recognition depends only on the plan's geometry and placement.
 */
function uniformCluster(n: number) {
  return parseCluster({
    version: 1,
    kind: "cluster",
    name: "export",
    deviceTypes: {
      device: {
        peakFlops: { float32: 1e12, float64: 1e12, int32: 1e12 },
        memoryBytes: 2 ** 50,
        memoryBandwidth: 1e12,
        launchOverhead: 0,
      },
    },
    hosts: [{ id: "tessera-export", deviceType: "device", devices: n }],
    intraHost: { bandwidth: 1e11, latency: 1e-6 },
    interHost: { bandwidth: 1e10, latency: 1e-5 },
  });
}

/** Statements keyed by the position in the order they run before (`tasks.length`: after the last task). */
class Placement {
  private readonly at = new Map<number, Map<string, string[]>>();

  add(position: number, device: string, lines: readonly string[]): void {
    const byDevice = this.at.get(position) ?? new Map<string, string[]>();
    this.at.set(position, byDevice);
    byDevice.set(device, [...(byDevice.get(device) ?? []), ...lines]);
  }

  get(position: number, device: string): readonly string[] {
    return this.at.get(position)?.get(device) ?? [];
  }
}

/**
 * The collectives an exported script runs, from those the simulator recognises in the plan's
 * derived transfers (`Timeline.collectives`):
 *
 * - **all-reduce** (a gathered combine that sends the folded block back to every part):
 *   `dist.all_reduce` of the partials over the part devices, just before the combine's turn;
 *   it replaces the partials' transfers and the combine's sends;
 * - **reduce** and **reduce-scatter** of a gathered combine: `dist.reduce` of the partials onto
 *   the combine's device (its pieces then leave point to point, as derived);
 * - **reduce-scatter** of a block planned `reduce-scatter`: one `dist.reduce` per chunk onto the
 *   chunk's own device (gloo has no reduce_scatter), before the first chunk's fold;
 * - **all-gather** (every final writer's block to every other writer): `dist.all_gather`, right
 *   after the last writer, when the blocks have one shape and no consumer of them comes earlier
 *   in the order (else the transfers stay point to point).
 *
 * Members are sorted by rank, as torch orders a group's ranks.
 */
export function recognisedCollectives(plan: Plan, graph: TaskGraph): CollectivePlan {
  const timeline = simulatePlan(plan, uniformCluster(plan.devices.length)).timeline;
  const rankOf = new Map(plan.devices.map((d, i) => [d, i]));
  const position = new Map(graph.tasks.map((t, i) => [t.id, i]));
  const groups: CollectiveGroup[] = [];
  const byTransfer = new Map<number, CollectiveGroup>();
  const byCombine = new Map<string, CollectiveGroup>();
  const placement = new Placement();
  let serial = 0;
  const byRank = (devices: Iterable<string>) =>
    [...new Set(devices)].sort((a, b) => rankOf.get(a)! - rankOf.get(b)!);
  const ranks = (members: readonly string[]) => `[${members.map((m) => rankOf.get(m)).join(", ")}]`;
  const combinesReading = (ids: ReadonlySet<number>): CombineTask[] =>
    graph.tasks.filter(
      (t): t is CombineTask =>
        t.kind === "combine" &&
        (graph.reads[t.id] ?? []).some((p) => p.transfer !== null && ids.has(p.transfer)),
    );
  /** The partial a part device contributes to combine `c`: the piece of `c` coming from its part on `device`. */
  const partialOn = (c: CombineTask, device: string) => {
    const piece = (graph.reads[c.id] ?? []).find(
      (p) => p.source.kind === "task" && graph.tasks[position.get(p.source.task)!]!.device === device,
    );
    return piece === undefined ? undefined : { key: sourceKey(piece.source), region: piece.region };
  };

  for (const use of timeline.collectives) {
    const ids = new Set(use.transfers);
    if (use.kind === "all-gather") {
      const writers = [...new Set(use.transfers.map((x) => graph.transfers[x]!))];
      const blocks = new Map<string, { key: string; region: ZRange }>();
      for (const t of writers) blocks.set(t.from, { key: sourceKey(t.source), region: t.region });
      const members = byRank(blocks.keys());
      const shapes = new Set([...blocks.values()].map((b) => b.region.shape.toString()));
      const last = Math.max(
        ...writers.map((t) => (t.source.kind === "task" ? position.get(t.source.task)! : -1)),
      );
      const earliestReader = Math.min(
        ...graph.tasks
          .filter((t) => (graph.reads[t.id] ?? []).some((p) => p.transfer !== null && ids.has(p.transfer)))
          .map((t) => position.get(t.id)!),
      );
      if (shapes.size !== 1 || members.length < 2 || earliestReader <= last) continue;
      const group: CollectiveGroup = {
        kind: "all-gather",
        members,
        transfers: use.transfers,
        combineValue: () => "None",
      };
      const v = `gathered_${serial++}`;
      for (const m of members) {
        const own = blocks.get(m)!;
        const lines = [
          `${v} = rt.all_gather(${ranks(members)}, rt.get(${pyString(own.key)}, ${pyBox(own.region)}))  # all-gather of ${writers[0]!.tensor}`,
        ];
        members.forEach((other, i) => {
          if (other === m) return;
          const b = blocks.get(other)!;
          lines.push(`rt.put(${pyString(b.key)}, ${pyTuple(b.region.start.coords)}, ${v}[${i}])`);
        });
        placement.add(last + 1, m, lines);
      }
      groups.push(group);
      for (const x of use.transfers) byTransfer.set(x, group);
      continue;
    }
    const combines = combinesReading(ids);
    if (combines.length === 0) continue;
    const first = combines[0]!;
    const parts = first.parts.map((p) => graph.tasks[position.get(p)!]!.device);
    const members = byRank(parts);
    if (members.length !== parts.length) continue;
    if (use.kind === "all-reduce" && combines.length === 1) {
      const v = `reduced_${serial++}`;
      const out = first.outputs[0]!;
      const key = sourceKey({ kind: "task", task: first.id, output: out.name });
      const group: CollectiveGroup = {
        kind: "all-reduce",
        members,
        transfers: use.transfers,
        combineValue: () => v,
      };
      for (const m of members) {
        const mine = partialOn(first, m)!;
        const lines = [
          `${v} = rt.all_reduce(${pyString(first.monoid)}, ${ranks(members)}, rt.get(${pyString(mine.key)}, ${pyBox(mine.region)}).clone())  # all-reduce of ${first.op} block ${first.block}`,
        ];
        if (m !== first.device)
          lines.push(`rt.put(${pyString(key)}, ${pyTuple(out.region.start.coords)}, ${v})`);
        placement.add(position.get(first.id)!, m, lines);
      }
      groups.push(group);
      byCombine.set(first.id, group);
      for (const x of use.transfers) byTransfer.set(x, group);
      continue;
    }
    // reduce, or reduce-scatter: one dist.reduce per combine (a whole block, or each chunk) onto its device.
    const at = Math.min(...combines.map((c) => position.get(c.id)!));
    const partials = use.transfers.filter((x) => {
      const s = graph.transfers[x]!.source;
      return s.kind === "task" && first.parts.includes(s.task);
    });
    const group: CollectiveGroup = {
      kind: use.kind,
      members,
      transfers: partials,
      combineValue: () => "None",
    };
    const values = new Map<string, string>();
    for (const c of combines) {
      const v = `folded_${serial++}`;
      values.set(c.id, v);
      for (const m of members) {
        const mine = partialOn(c, m)!;
        placement.add(at, m, [
          `${v} = rt.reduce(${pyString(c.monoid)}, ${ranks(members)}, ${rankOf.get(c.device)}, rt.get(${pyString(mine.key)}, ${pyBox(mine.region)}).clone())  # ${use.kind} of ${c.op} onto ${c.device}`,
        ]);
      }
    }
    const folded: CollectiveGroup = { ...group, combineValue: () => "None" };
    groups.push(folded);
    for (const c of combines) byCombine.set(c.id, { ...folded, combineValue: () => values.get(c.id)! });
    for (const x of partials) byTransfer.set(x, folded);
  }
  return {
    groups,
    byTransfer,
    byCombine,
    before: (task, device) => placement.get(task === null ? graph.tasks.length : position.get(task)!, device),
    after: () => [],
  };
}

import type { ZRange } from "../zspace/z-range.js";
import type { PlanState, SimContext } from "./context.js";
import { sized } from "./workspace.js";

/** The collectives the simulator recognises in derived transfers. */
export type CollectiveKind = "reduce" | "all-reduce" | "reduce-scatter" | "all-gather";

/**
 * One phase of a recognised collective: the transfers it delivers at its end, its time, and
 * the ring (or chain) edges whose egress and ingress ports it holds, each carrying `edgeBytes`.
 */
export interface Phase {
  readonly members: readonly number[];
  readonly seconds: number;
  readonly edges: readonly (readonly [number, number])[];
  readonly edgeBytes: number;
}

/**
 * A recognised collective over devices (indices, in ring order: cluster order), with `bytes`
 * the size of the reduced or gathered tensor block.
 */
export interface Group {
  readonly kind: CollectiveKind;
  readonly devices: readonly number[];
  readonly bytes: number;
  readonly phases: readonly Phase[];
}

/**
 * Recognises collectives in the compiled transfers:
 *
 * - per combine of a single-output operation whose `n ≥ 2` parts run on `n` distinct devices,
 *   the combine's among them: the `n − 1` partials into the combine device, then what the
 *   combine sends. If it sends the whole block to each other part device, an **all-reduce**;
 *   disjoint pieces of it to each other part device, a **reduce-scatter**; anything else, a
 *   **reduce** (what it sends stays point-to-point);
 * - per block of a single-output operation planned `reduce-scatter` (chunk `j` folded on part
 *   `j`'s device), when its `n ≥ 2` parts run on `n` distinct devices and each sends exactly its
 *   `n − 1` other chunks, one to each other part's device: a **reduce-scatter** of the block,
 *   one ring step (the chunks' folds follow on their own devices);
 * - per single-output operation whose `n ≥ 2` final writers run on distinct devices, when the
 *   writers' transfers are exactly every writer's whole block to every other writer's device
 *   and none is already claimed: an **all-gather**.
 *
 * Under collective pricing each group is priced by the ring formulas with the bus-bandwidth
 * factors of nccl-tests (`S` the block, `B` the slowest ring link, `α` the worst latency): a
 * ring step is `(n − 1)/n · S/B + (n − 1)·α`. An all-reduce is two steps (reduce-scatter, then
 * all-gather): the partials reach the combine device after the first, the combine folds, and
 * its result reaches the others one step later. A reduce-scatter is one step; the combine's
 * pieces then reach their devices when it ends. An all-gather is one step. A reduce is
 * pipelined along the ring cut open after the root: `S/B + (n − 1)·α`.
 */
export function recognise(ctx: SimContext, state: PlanState): Group[] {
  const ws = ctx.ws;
  const { D, X } = ws;
  ws.devMark = sized(ws.devMark, D);
  ws.devSeen = sized(ws.devSeen, D);
  ws.xMark = sized(ws.xMark, X);
  const { opBase, taskDev, taskOut, outHead, xNext, xTo, xBytes, devMark, devSeen, xMark } = ws;
  const groups: Group[] = [];
  const claimed = ws.nextMark();
  const members = (t: number, into: number[]) => {
    for (let x = outHead[t]!; x >= 0; x = xNext[x]!) into.push(x);
  };
  /** Marks the devices of tasks `first + parts[i]` with a new stamp; -1 when two share a device. */
  const markDevices = (first: number, parts: readonly number[]): number => {
    const stamp = ws.nextMark();
    for (const p of parts) {
      const d = taskDev[first + p]!;
      if (devMark[d] === stamp) return -1;
      devMark[d] = stamp;
    }
    return stamp;
  };
  /** True when `t` sends exactly one transfer to each marked device but `own`, each of `bytes` when given, none claimed. */
  const sendsToEachOther = (t: number, stamp: number, own: number, count: number, bytes: number) => {
    const seen = ws.nextMark();
    let n = 0;
    for (let x = outHead[t]!; x >= 0; x = xNext[x]!) {
      const d = xTo[x]!;
      if (devMark[d] !== stamp || d === own || devSeen[d] === seen || xMark[x] === claimed) return false;
      if (bytes >= 0 && xBytes[x] !== bytes) return false;
      devSeen[d] = seen;
      n++;
    }
    return n === count;
  };
  const ring = (first: number, parts: readonly number[]) =>
    parts.map((p) => taskDev[first + p]!).sort((a, b) => ctx.clusterPos[a]! - ctx.clusterPos[b]!);

  for (const k of ctx.facts.order) {
    const g = state.traffic.tasks[k]!;
    if (g.op.outputs.length !== 1 || g.combines.length === 0) continue;
    const first = opBase[k]!;
    if (g.combine === "reduce-scatter") {
      // Chunk `j` of a block folds on part `j`'s device: one ring step over the part devices
      // when each part sends exactly its other chunks, one to each other part's device.
      const nShards = g.shards.length;
      for (let c0 = 0; c0 < g.combines.length; ) {
        const block = g.combines[c0]!.block;
        let c1 = c0;
        while (c1 < g.combines.length && g.combines[c1]!.block === block) c1++;
        const parts = g.combineParts[c0]!;
        const n = parts.length;
        const at = c0;
        c0 = c1;
        if (n < 2 || c1 - at !== n) continue;
        const stamp = markDevices(first, parts);
        if (stamp < 0) continue;
        let bytes = 0;
        let ok = true;
        for (let j = 0; j < n; j++) {
          const c = first + nShards + at + j;
          bytes += taskOut[c]!;
          if (taskDev[c] !== taskDev[first + parts[j]!]) ok = false;
        }
        if (!ok || bytes === 0) continue;
        if (!parts.every((p) => sendsToEachOther(first + p, stamp, taskDev[first + p]!, n - 1, -1))) continue;
        const partials: number[] = [];
        for (const p of parts) members(first + p, partials);
        const devices = ring(first, parts);
        for (const x of partials) xMark[x] = claimed;
        groups.push({
          kind: "reduce-scatter",
          devices,
          bytes,
          phases: [ringPhase(ctx, partials, devices, bytes)],
        });
      }
      continue;
    }
    g.combineParts.forEach((parts, b) => {
      const c = first + g.shards.length + b;
      const r = taskDev[c]!;
      const bytes = taskOut[c]!;
      const n = parts.length;
      if (n < 2 || bytes === 0) return;
      const stamp = markDevices(first, parts);
      if (stamp < 0 || devMark[r] !== stamp) return;
      for (const p of parts) {
        const t = first + p;
        const x = outHead[t]!;
        const ok = taskDev[t] === r ? x < 0 : x >= 0 && xNext[x]! < 0 && xTo[x] === r;
        if (!ok) return;
      }
      const partials: number[] = [];
      for (const p of parts) members(first + p, partials);
      const devices = ring(first, parts);
      let group: Group;
      if (sendsToEachOther(c, stamp, r, n - 1, bytes)) {
        const sent: number[] = [];
        members(c, sent);
        const phases = [ringPhase(ctx, partials, devices, bytes), ringPhase(ctx, sent, devices, bytes)];
        group = { kind: "all-reduce", devices, bytes, phases };
      } else if (sendsToEachOther(c, stamp, r, n - 1, -1) && disjoint(ctx, state, c)) {
        const sent: number[] = [];
        members(c, sent);
        const phases = [
          ringPhase(ctx, partials, devices, bytes),
          { members: sent, seconds: 0, edges: [], edgeBytes: 0 },
        ];
        group = { kind: "reduce-scatter", devices, bytes, phases };
      } else {
        group = { kind: "reduce", devices, bytes, phases: [chainPhase(ctx, partials, devices, r, bytes)] };
      }
      for (const phase of group.phases) for (const x of phase.members) xMark[x] = claimed;
      groups.push(group);
    });
  }
  for (const k of ctx.facts.order) {
    const g = state.traffic.tasks[k]!;
    if (g.op.outputs.length !== 1) continue;
    // The final writers: the combines when a reduction is split, else the shards.
    const nShards = g.shards.length;
    const first = opBase[k]! + (g.combines.length > 0 ? nShards : 0);
    const n = g.combines.length > 0 ? g.combines.length : nShards;
    if (n < 2) continue;
    const writers = Array.from({ length: n }, (_, i) => i);
    const stamp = markDevices(first, writers);
    if (stamp < 0) continue;
    if (
      !writers.every((w) =>
        sendsToEachOther(first + w, stamp, taskDev[first + w]!, n - 1, taskOut[first + w]!),
      )
    )
      continue;
    const sent: number[] = [];
    let bytes = 0;
    for (const w of writers) {
      members(first + w, sent);
      bytes += taskOut[first + w]!;
    }
    const devices = ring(first, writers);
    groups.push({ kind: "all-gather", devices, bytes, phases: [ringPhase(ctx, sent, devices, bytes)] });
  }
  return groups;
}

/** True when the regions task `t` sends are pairwise disjoint. */
function disjoint(ctx: SimContext, state: PlanState, t: number): boolean {
  const ws = ctx.ws;
  const regions: ZRange[] = [];
  for (let x = ws.outHead[t]!; x >= 0; x = ws.xNext[x]!)
    regions.push(state.traffic.reads[ws.xOp[x]!]!.info[ws.xPiece[x]!]!.region);
  return regions.every((a, i) => regions.slice(i + 1).every((b) => !a.intersects(b)));
}

function bottleneck(ctx: SimContext, edges: readonly (readonly [number, number])[]) {
  const D = ctx.devices.length;
  let bandwidth = Number.POSITIVE_INFINITY;
  let latency = 0;
  for (const [a, b] of edges) {
    bandwidth = Math.min(bandwidth, ctx.bandwidth[a * D + b]!);
    latency = Math.max(latency, ctx.latency[a * D + b]!);
  }
  return { bandwidth, latency };
}

/**
 * A reduce-scatter or all-gather step over the ring `devices` (cluster order, back to the
 * first): `(n − 1)/n · bytes / B + (n − 1) · α`, with `B` the slowest ring link and `α` the
 * worst latency; every ring edge carries `(n − 1)/n · bytes`.
 */
function ringPhase(
  ctx: SimContext,
  members: readonly number[],
  devices: readonly number[],
  bytes: number,
): Phase {
  const n = devices.length;
  const edges = devices.map((a, i) => [a, devices[(i + 1) % n]!] as const);
  const { bandwidth, latency } = bottleneck(ctx, edges);
  return {
    members,
    seconds: ringSeconds(n, bytes, bandwidth, latency),
    edges,
    edgeBytes: ((n - 1) / n) * bytes,
  };
}

/**
 * A pipelined reduce along the ring cut open after the root, ending at it: `bytes / B + (n − 1) · α`
 * (bus bandwidth factor 1, as NCCL's Reduce); each of the `n − 1` chain edges carries `bytes`.
 */
function chainPhase(
  ctx: SimContext,
  members: readonly number[],
  devices: readonly number[],
  root: number,
  bytes: number,
): Phase {
  const n = devices.length;
  const at = devices.indexOf(root);
  const chain = Array.from({ length: n }, (_, i) => devices[(at + 1 + i) % n]!);
  const edges = chain.slice(0, -1).map((a, i) => [a, chain[i + 1]!] as const);
  const { bandwidth, latency } = bottleneck(ctx, edges);
  return { members, seconds: bytes / bandwidth + (n - 1) * latency, edges, edgeBytes: bytes };
}

/**
 * The time of one ring step (a reduce-scatter or an all-gather) over `n` devices on a `bytes`
 * block: `(n − 1)/n · bytes / bandwidth + (n − 1) · latency`. An all-reduce is two.
 */
export function ringSeconds(n: number, bytes: number, bandwidth: number, latency: number): number {
  return ((n - 1) / n) * (bytes / bandwidth) + (n - 1) * latency;
}

/** Writes the groups' phases into the workspace for the schedule (collective pricing). */
export function installPhases(ctx: SimContext, groups: readonly Group[]): void {
  const ws = ctx.ws;
  const D = ctx.devices.length;
  ws.xPhase = sized(ws.xPhase, ws.X);
  ws.xPhase.fill(-1, 0, ws.X);
  let P = 0;
  let members = 0;
  let ports = 0;
  for (const g of groups) {
    for (const p of g.phases) {
      P++;
      members += p.members.length;
      ports += p.edges.length;
    }
  }
  ws.phaseCount = P;
  ws.phStart = sized(ws.phStart, P + 1);
  ws.phDur = sized(ws.phDur, P);
  ws.phPending = sized(ws.phPending, P);
  ws.phPortStart = sized(ws.phPortStart, P + 1);
  ws.phX = sized(ws.phX, members);
  ws.phEgress = sized(ws.phEgress, ports);
  ws.phIngress = sized(ws.phIngress, ports);
  let ph = 0;
  let m = 0;
  let q = 0;
  for (const g of groups) {
    for (const p of g.phases) {
      ws.phStart[ph] = m;
      ws.phPortStart[ph] = q;
      ws.phDur[ph] = p.seconds;
      for (const x of p.members) {
        ws.xPhase[x] = ph;
        ws.phX[m++] = x;
      }
      for (const [a, b] of p.edges) {
        const c = ctx.cls[a * D + b]!;
        ws.phEgress[q] = 2 * a + c;
        ws.phIngress[q] = 2 * b + c;
        q++;
      }
      ph++;
    }
  }
  ws.phStart[P] = m;
  ws.phPortStart[P] = q;
}

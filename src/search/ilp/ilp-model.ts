import { DTYPE_BYTES } from "../../base/dtype.js";
import { TesseraError } from "../../base/errors.js";
import type { Cluster, DeviceType } from "../../cluster/cluster.js";
import { linkBetween } from "../../cluster/links.js";
import { type CostModel, DEFAULT_COST_MODEL, taskSeconds } from "../../cost/cost-model.js";
import { tensorWriters } from "../../ir/dependencies.js";
import type { Operation, Program } from "../../ir/program.js";
import { gridSharding, shardCount } from "../../shard/operation-sharding.js";
import { combineGeometry, shardGeometry } from "../../shard/shard-geometry.js";
import type { ZRange } from "../../zspace/z-range.js";
import { clusterDevices } from "../cluster-devices.js";
import { type Layout, type LayoutChoiceOptions, layoutChoices } from "../engine/layout-choices.js";
import { checkPins, type Pin } from "../engine/pins.js";

/** What the layout ILP is built over: devices, candidate layouts, pins, the work model. */
export interface IlpModelOptions {
  /** How many of the cluster's first devices the plan uses; default all. */
  readonly devices?: number;
  /** Which layouts each operation may take (see `layoutChoices`); default `{ maxDims: 1 }`. */
  readonly layouts?: LayoutChoiceOptions;
  /** The search's pins: `splits` fixes an operation's layout, `devices` the devices its shards take in order. */
  readonly pins?: readonly Pin[];
  readonly costModel?: CostModel;
}

/** The candidate layouts of one operation and the devices its shards take: shard `k` on `slots[k]`. */
export interface IlpChoices {
  readonly layouts: readonly Layout[];
  /** Positions in the plan's device list. */
  readonly slots: readonly number[];
}

/** A producer → consumer pair of operations and the resharding seconds per pair of their layouts. */
export interface IlpEdge {
  /** Producer and consumer, as positions in `IlpModel.ops`. */
  readonly from: number;
  readonly to: number;
  /** `cost[l][m]`: seconds to move what the consumer under layout `m` reads from the producer under `l`. */
  readonly cost: readonly (readonly number[])[];
}

/**
 * The cost tables of the layout ILP (Alpa's intra-operator pass on Tessera's geometry). Shard
 * `k` of an operation runs on `slots[k]` (device `k` unless pinned), a combine on its block's
 * first shard's device. The objective of a choice of one layout per operation is
 * `Σ node + Σ edge` (see `ilpObjective`); it is feasible when every device's `memory` sum fits
 * its `capacity` (see `ilpMemory`).
 */
export interface IlpModel {
  /** The plan's devices: the cluster's first `n`. */
  readonly devices: readonly string[];
  /** Operation ids, in program order. */
  readonly ops: readonly string[];
  /** Per operation, its candidate layouts (the whole operation first unless pinned). */
  readonly layouts: readonly (readonly Layout[])[];
  /** Per operation, the device positions its shards take (shard `k` on `slots[k]`). */
  readonly slots: readonly (readonly number[])[];
  /** Per operation and layout: the busiest device's shard seconds plus the combine step's (gather partials, fold). */
  readonly node: readonly (readonly number[])[];
  readonly edges: readonly IlpEdge[];
  /** Per operation and layout, bytes per device (`[l][d]`): its shards' and combines' inputs and outputs. */
  readonly memory: readonly (readonly (readonly number[])[])[];
  /** Memory bytes of each device. */
  readonly capacity: readonly number[];
}

/**
 * What the ILP may give each operation on `devices` (the plan's): `layoutChoices` under
 * `options.layouts` (default one cut dimension) with shard `k` on device `k`, or what its pin
 * allows — the pinned layout, on the pinned devices in order (else device `k` again), or any
 * layout of at most as many shards as pinned devices, on those. Throws `checkPins`' errors, and
 * `invalid_split` when a pinned layout without devices makes more shards than there are devices.
 */
export function ilpChoices(
  program: Program,
  devices: readonly string[],
  options: IlpModelOptions = {},
): IlpChoices[] {
  const pins = options.pins ?? [];
  checkPins(program, devices, pins);
  const all = devices.map((_, k) => k);
  return program.operations.map((op) => {
    const pin = pins.find((p) => p.op === op.id);
    const slots = pin?.devices?.map((d) => devices.indexOf(d)) ?? all;
    if (pin?.splits === undefined)
      return { layouts: layoutChoices(op, slots.length, options.layouts ?? { maxDims: 1 }), slots };
    const shards = shardCount(gridSharding(op, pin.splits));
    if (shards > slots.length) {
      throw new TesseraError(
        "invalid_split",
        `the pin of operation '${op.id}' makes ${shards} shards, but the ILP places one shard per device on ${slots.length} devices`,
        { op: op.id, expected: slots.length, found: shards },
      );
    }
    return { layouts: [{ splits: pin.splits.slice(), shards }], slots };
  });
}

/** Producer → consumer operation pairs (positions in program order), each once, by consumer. */
export function ilpEdgePairs(program: Program): [number, number][] {
  const writers = tensorWriters(program.operations);
  const seen = new Set<string>();
  const pairs: [number, number][] = [];
  program.operations.forEach((op, v) => {
    for (const s of op.inputs) {
      for (const u of writers.get(s.tensor) ?? []) {
        const key = `${u}/${v}`;
        if (u === v || seen.has(key)) continue;
        seen.add(key);
        pairs.push([u, v]);
      }
    }
  });
  return pairs;
}

/**
 * The number of ILP columns for these choices: one per operation and layout, plus one per
 * layout pair of each edge whose ends both have a choice (an edge with a fixed end folds into
 * the other end's node costs). Cheap: no geometry beyond `layoutChoices`.
 */
export function ilpVariableCount(choices: readonly IlpChoices[], pairs: readonly [number, number][]): number {
  let count = choices.reduce((n, c) => n + c.layouts.length, 0);
  for (const [u, v] of pairs) {
    const a = choices[u]!.layouts.length;
    const b = choices[v]!.layouts.length;
    if (a > 1 && b > 1) count += a * b;
  }
  return count;
}

/**
 * Builds the ILP's cost tables for `program` on the first `options.devices` devices of
 * `cluster`, priced with `taskSeconds` as the simulator prices tasks:
 *
 * - node: the busiest device's shard seconds (`taskSeconds(shardWork)` on its type), plus,
 *   when a reduction is split, the busiest combine device's time to receive its blocks'
 *   partials (bytes over the link, serialised on its ingress, plus one latency) and fold them
 *   (`combineWork`);
 * - edge: for each layout pair, the bytes each consumer shard reads from producer regions
 *   (shard outputs, or combined blocks when the producer's reduction is split) held on another
 *   device, priced as the simulator's ports are: per device and link class, the ingress and
 *   egress busy time `Σ bytes / bandwidth` plus the largest latency on that port; the edge
 *   costs its busiest port. Program inputs are pre-distributed and cost nothing;
 * - memory: per device, the bytes of the regions its shards read and write plus the partials
 *   and result of its combines — a conservative stand-in for peak memory (nothing is freed).
 *
 * What this approximates against the traffic core (`plan/plan-traffic.ts`), which the
 * simulator schedules: the geometry is the same (`shardGeometry`, `combineGeometry`), but an
 * edge's pieces are intersected per producer → consumer pair of layouts and only for the
 * tensors that pair shares; every split reduction is *gathered* on its block's first shard's
 * device (no `reduce-scatter` combine mode); inputs cost nothing; ports are summed, not
 * scheduled FIFO, and no transfer overlaps compute or another edge; compute seconds come from
 * the same `taskSeconds`.
 *
 * Layouts a device of the plan cannot compute (no peak rate for the dtype) are dropped; throws
 * `unsupported_dtype` when that leaves an operation none, `invalid_device_count`, and the pin
 * errors of `ilpChoices`.
 */
export function ilpModel(program: Program, cluster: Cluster, options: IlpModelOptions = {}): IlpModel {
  return buildIlpModel(program, cluster, options, Number.POSITIVE_INFINITY)!;
}

/**
 * `ilpModel`, giving up (`undefined`) once `performance.now()` passes `deadline`: the edge
 * tables cost (shards × shards) per layout pair, which on hundreds of devices can outlast a
 * solver budget by itself.
 */
export function buildIlpModel(
  program: Program,
  cluster: Cluster,
  options: IlpModelOptions,
  deadline: number,
): IlpModel | undefined {
  const devices = clusterDevices(cluster, options.devices);
  const D = devices.length;
  const byId = new Map(cluster.devices.map((d) => [d.id, d]));
  const devs = devices.map((id) => byId.get(id)!);
  const types = devs.map((d) => cluster.deviceTypes[d.type]!);
  const bandwidth = new Float64Array(D * D);
  const latency = new Float64Array(D * D);
  const inter = new Uint8Array(D * D);
  devs.forEach((a, i) => {
    devs.forEach((b, j) => {
      const { cls, link } = linkBetween(cluster, a, b);
      bandwidth[i * D + j] = link.bandwidth;
      latency[i * D + j] = link.latency;
      inter[i * D + j] = cls === "inter" ? 1 : 0;
    });
  });
  const links: Links = { D, bandwidth, latency, inter };
  const model = options.costModel ?? DEFAULT_COST_MODEL;
  const choices = ilpChoices(program, devices, options);

  const layouts: Layout[][] = [];
  const tables: LayoutTable[][] = [];
  for (const [v, op] of program.operations.entries()) {
    const { slots } = choices[v]!;
    const kept: Layout[] = [];
    const keptTables: LayoutTable[] = [];
    for (const layout of choices[v]!.layouts) {
      if (performance.now() > deadline) return;
      const table = layoutTable(op, layout, slots, types, links, model);
      if (table === undefined) continue;
      kept.push(layout);
      keptTables.push(table);
    }
    if (kept.length === 0) {
      const dtype = Object.values(op.signature.outputs)[0]?.dtype ?? "float32";
      throw new TesseraError(
        "unsupported_dtype",
        `operation '${op.id}' computes in ${dtype}, which the device types of its devices on cluster '${cluster.name}' have no peak rate for`,
        { op: op.id, dtype, cluster: cluster.name },
      );
    }
    layouts.push(kept);
    tables.push(keptTables);
  }

  const ports = new Float64Array(4 * D);
  const portLatency = new Float64Array(4 * D);
  const edges: IlpEdge[] = [];
  for (const [u, v] of ilpEdgePairs(program)) {
    const reads = new Set(program.operations[v]!.inputs.map((s) => s.tensor));
    const cost: number[][] = [];
    for (const producer of tables[u]!) {
      if (performance.now() > deadline) return;
      cost.push(
        tables[v]!.map((consumer) => edgeSeconds(producer, consumer, reads, links, ports, portLatency)),
      );
    }
    edges.push({ from: u, to: v, cost });
  }

  return {
    devices,
    ops: program.operations.map((o) => o.id),
    layouts,
    slots: choices.map((c) => c.slots),
    node: tables.map((t) => t.map((x) => x.seconds)),
    edges,
    memory: tables.map((t) => t.map((x) => Array.from(x.memory))),
    capacity: types.map((t) => t.memoryBytes),
  };
}

/** The ILP objective of one layout per operation (`choice[v]` indexes `model.layouts[v]`): Σ node + Σ edge seconds. */
export function ilpObjective(model: IlpModel, choice: readonly number[]): number {
  let total = 0;
  model.node.forEach((costs, v) => {
    total += costs[choice[v]!]!;
  });
  for (const e of model.edges) total += e.cost[choice[e.from]!]![choice[e.to]!]!;
  return total;
}

/** Per device, the ILP's memory bytes of a choice of layouts (see `IlpModel.memory`). */
export function ilpMemory(model: IlpModel, choice: readonly number[]): number[] {
  const bytes = model.devices.map(() => 0);
  model.memory.forEach((perLayout, v) => {
    perLayout[choice[v]!]!.forEach((b, d) => {
      bytes[d]! += b;
    });
  });
  return bytes;
}

/** The plan's link tables, `[from * D + to]`. */
interface Links {
  readonly D: number;
  readonly bandwidth: Float64Array;
  readonly latency: Float64Array;
  readonly inter: Uint8Array;
}

/** A box of a tensor on a device, as flat coordinates for allocation-free intersection. */
interface DeviceBox {
  readonly tensor: string;
  readonly device: number;
  readonly start: readonly number[];
  readonly end: readonly number[];
  readonly elementBytes: number;
}

/** What one layout of one operation costs and holds, computed once per (operation, layout). */
interface LayoutTable {
  readonly seconds: number;
  readonly memory: Float64Array;
  /** Where its outputs end up: shard outputs, or combined blocks when a reduction is split. */
  readonly holders: readonly DeviceBox[];
  /** What its shards read, on their devices. */
  readonly reads: readonly DeviceBox[];
  /** True when two reads on one device may overlap (a tensor read twice, or shards sharing a device). */
  readonly repeatedRead: boolean;
}

function deviceBox(tensor: string, device: number, range: ZRange, elementBytes: number): DeviceBox {
  return { tensor, device, start: range.start.coords, end: range.end.coords, elementBytes };
}

function layoutTable(
  op: Operation,
  layout: Layout,
  slots: readonly number[],
  types: readonly DeviceType[],
  links: Links,
  model: CostModel,
): LayoutTable | undefined {
  const { D } = links;
  const sig = op.signature;
  const shards = shardGeometry(op, gridSharding(op, layout.splits));
  const memory = new Float64Array(D);
  // Shards sharing a device (a pin may ask for it) run one after the other.
  const busy = new Float64Array(D);
  const reads: DeviceBox[] = [];
  for (const shard of shards) {
    const d = slots[shard.shard]!;
    const s = taskSeconds(model.shardWork(op, shard), types[d]!);
    if (s === undefined) return undefined;
    busy[d]! += s;
    for (const sel of op.inputs) {
      const region = shard.inputs[sel.name]!;
      const bytes = DTYPE_BYTES[sig.inputs[sel.name]!.dtype];
      memory[d]! += region.size * bytes;
      reads.push(deviceBox(sel.tensor, d, region, bytes));
    }
    for (const sel of op.outputs)
      memory[d]! += shard.outputs[sel.name]!.size * DTYPE_BYTES[sig.outputs[sel.name]!.dtype];
  }
  const combines = combineGeometry(op, shards);
  const holders: DeviceBox[] = [];
  const combineBusy = new Float64Array(D);
  for (const c of combines) {
    const d = slots[c.parts[0]!]!;
    const s = taskSeconds(model.combineWork(op, c, c.parts.length), types[d]!);
    if (s === undefined) return undefined;
    let blockBytes = 0;
    for (const sel of op.outputs) {
      const bytes = DTYPE_BYTES[sig.outputs[sel.name]!.dtype];
      blockBytes += c.outputs[sel.name]!.size * bytes;
      holders.push(deviceBox(sel.tensor, d, c.outputs[sel.name]!, bytes));
    }
    let receive = 0;
    let lat = 0;
    for (const part of c.parts) {
      const from = slots[part]!;
      if (from === d) continue;
      receive += blockBytes / links.bandwidth[from * D + d]!;
      lat = Math.max(lat, links.latency[from * D + d]!);
      memory[d]! += blockBytes;
    }
    memory[d]! += blockBytes;
    combineBusy[d]! += receive + lat + s;
  }
  if (combines.length === 0) {
    for (const shard of shards) {
      for (const sel of op.outputs) {
        const bytes = DTYPE_BYTES[sig.outputs[sel.name]!.dtype];
        holders.push(deviceBox(sel.tensor, slots[shard.shard]!, shard.outputs[sel.name]!, bytes));
      }
    }
  }
  const tensors = op.inputs.map((s) => s.tensor);
  const used = slots.slice(0, shards.length);
  return {
    seconds: Math.max(...busy) + Math.max(...combineBusy),
    memory,
    holders,
    reads,
    repeatedRead: new Set(tensors).size < tensors.length || new Set(used).size < used.length,
  };
}

/** Elements in the intersection of two boxes of one tensor (1 for two rank-0 boxes). */
function overlap(a: DeviceBox, b: DeviceBox): number {
  let n = 1;
  for (let i = 0; i < a.start.length; i++) {
    const lo = Math.max(a.start[i]!, b.start[i]!);
    const hi = Math.min(a.end[i]!, b.end[i]!);
    if (hi <= lo) return 0;
    n *= hi - lo;
  }
  return n;
}

/**
 * Seconds of the busiest port when `consumer`'s shards fetch, from `producer`'s holders on
 * other devices, the parts of `tensors` they read. A device receives a given region of a given
 * holder once, as the simulator deduplicates transfers.
 */
function edgeSeconds(
  producer: LayoutTable,
  consumer: LayoutTable,
  tensors: ReadonlySet<string>,
  links: Links,
  ports: Float64Array,
  portLatency: Float64Array,
): number {
  const { D } = links;
  ports.fill(0);
  portLatency.fill(0);
  const seen = consumer.repeatedRead ? new Set<string>() : undefined;
  for (const r of consumer.reads) {
    if (!tensors.has(r.tensor)) continue;
    const to = r.device;
    producer.holders.forEach((h, hi) => {
      if (h.tensor !== r.tensor || h.device === to) return;
      const elements = overlap(r, h);
      if (elements === 0) return;
      if (seen !== undefined) {
        const lo = r.start.map((s, i) => Math.max(s, h.start[i]!));
        const up = r.end.map((e, i) => Math.min(e, h.end[i]!));
        const key = `${hi}/${to}/${lo.join(",")}/${up.join(",")}`;
        if (seen.has(key)) return;
        seen.add(key);
      }
      const link = h.device * D + to;
      const busy = (elements * h.elementBytes) / links.bandwidth[link]!;
      const cls = links.inter[link]!;
      const ingress = 2 * D + 2 * to + cls;
      const egress = 2 * h.device + cls;
      ports[ingress]! += busy;
      ports[egress]! += busy;
      portLatency[ingress] = Math.max(portLatency[ingress]!, links.latency[link]!);
      portLatency[egress] = Math.max(portLatency[egress]!, links.latency[link]!);
    });
  }
  let worst = 0;
  for (let p = 0; p < ports.length; p++)
    if (ports[p]! > 0) worst = Math.max(worst, ports[p]! + portLatency[p]!);
  return worst;
}

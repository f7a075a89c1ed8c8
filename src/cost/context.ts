import type { Cluster, DeviceType } from "../cluster/cluster.js";
import { linkBetween } from "../cluster/links.js";
import type { OperationPlan } from "../plan/plan.js";
import type { PlanTraffic } from "../plan/plan-traffic.js";
import type { ProgramFacts } from "../plan/program-facts.js";
import type { CostModel } from "./cost-model.js";
import { type HostLoad, hostLoad } from "./host-load.js";
import { busyLevels } from "./kernel-time.js";
import { TraceCache } from "./schedule-trace.js";
import type { OpPrice } from "./task-pricing.js";
import { Workspace } from "./workspace.js";

/** Link class codes in compiled tables: the port a transfer uses on each end. */
export const INTRA = 0;
export const INTER = 1;

/** How transfers are priced: each on its own, or recognised collectives by the ring formulas. */
export type Pricing = "point-to-point" | "collective";

/**
 * What stays fixed for a simulator and everything derived from it: the program's facts, the
 * cluster seen through the plan's device list (index `i` is `plan.devices[i]`), link tables,
 * where inputs start, the pricing and cost model, and the scratch workspace.
 */
export interface SimContext {
  readonly facts: ProgramFacts;
  readonly cluster: Cluster;
  readonly pricing: Pricing;
  readonly model: CostModel;
  /** Plan device names, and the cluster device each maps to. */
  readonly devices: readonly string[];
  readonly clusterIds: readonly string[];
  readonly deviceIndex: ReadonlyMap<string, number>;
  /** Position of each device in the cluster's device list (rings run in this order). */
  readonly clusterPos: Int32Array;
  readonly types: readonly DeviceType[];
  /** Device type position of each device. */
  readonly devType: Int32Array;
  /** Host position (in `cluster.hosts`) of each device: devices of one host share its memory system. */
  readonly devHost: Int32Array;
  readonly hosts: number;
  /** The busy levels tasks are priced at (`busyLevels(types)`), ascending, the last +Infinity. */
  readonly busyLevels: readonly number[];
  /** How tasks' durations follow their host's load (`hostLoad`). */
  readonly load: HostLoad;
  readonly capacity: Float64Array;
  /** `D × D` tables, `[from * D + to]`: class (INTRA/INTER), bandwidth and latency. */
  readonly cls: Int32Array;
  readonly bandwidth: Float64Array;
  readonly latency: Float64Array;
  /** Home device of each tensor (by position), −1 when pre-distributed or not an input. */
  readonly home: Int32Array;
  readonly ws: Workspace;
  /** Recorded schedules that derived plans resume from (see `schedule-trace.ts`). */
  readonly traces: TraceCache;
}

/** Where an operation's tasks run, as device indices. */
export interface OpPlace {
  readonly plan: OperationPlan;
  readonly shard: Int32Array;
  readonly combine: Int32Array;
}

/** The derived state of one plan: its traffic, and per operation (by position) prices and placement. */
export interface PlanState {
  readonly traffic: PlanTraffic;
  readonly prices: readonly OpPrice[];
  readonly places: readonly OpPlace[];
  /** `overlappingInputs(reads)`: inputs whose pre-distributed bytes need a union of regions. */
  readonly overlapping: Uint8Array;
  /** The plan's explicit order as derivation indices, or null for derivation order. */
  readonly order: Int32Array | null;
}

/** Builds the fixed context of a simulator. */
export function simContext(
  facts: ProgramFacts,
  cluster: Cluster,
  devices: readonly string[],
  mapping: Readonly<Record<string, string>>,
  homes: ReadonlyMap<string, string | null>,
  pricing: Pricing,
  model: CostModel,
): SimContext {
  const byId = new Map(cluster.devices.map((d, i) => [d.id, { d, i }]));
  const mapped = devices.map((name) => byId.get(mapping[name]!)!);
  const typeNames = [...new Set(mapped.map((m) => m.d.type))];
  const types = typeNames.map((t) => cluster.deviceTypes[t]!);
  const D = devices.length;
  const cls = new Int32Array(D * D);
  const bandwidth = new Float64Array(D * D);
  const latency = new Float64Array(D * D);
  mapped.forEach((a, i) => {
    mapped.forEach((b, j) => {
      const { cls: c, link } = linkBetween(cluster, a.d, b.d);
      cls[i * D + j] = c === "inter" ? INTER : INTRA;
      bandwidth[i * D + j] = link.bandwidth;
      latency[i * D + j] = link.latency;
    });
  });
  const deviceIndex = new Map(devices.map((d, i) => [d, i]));
  const hostPos = new Map(cluster.hosts.map((h, i) => [h.id, i]));
  const home = new Int32Array(facts.program.tensors.length).fill(-1);
  for (const [tensor, device] of homes) {
    if (device !== null) home[facts.tensorIndex.get(tensor)!] = deviceIndex.get(device) ?? -1;
  }
  const devHost = Int32Array.from(mapped.map((m) => hostPos.get(m.d.host) ?? 0));
  const levels = busyLevels(types);
  return {
    facts,
    cluster,
    pricing,
    model,
    devices,
    clusterIds: mapped.map((m) => m.d.id),
    deviceIndex,
    clusterPos: Int32Array.from(mapped.map((m) => m.i)),
    types,
    devType: Int32Array.from(mapped.map((m) => typeNames.indexOf(m.d.type))),
    devHost,
    hosts: cluster.hosts.length,
    busyLevels: levels,
    load: hostLoad(devHost, cluster.hosts.length, levels, cluster.executor),
    capacity: Float64Array.from(mapped.map((m) => cluster.deviceTypes[m.d.type]!.memoryBytes)),
    cls,
    bandwidth,
    latency,
    home,
    ws: new Workspace(),
    traces: new TraceCache(),
  };
}

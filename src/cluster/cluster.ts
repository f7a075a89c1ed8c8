import type { DType } from "../base/dtype.js";

/** What one kind of device can do. Units: FLOP/s, bytes, bytes/s, seconds. */
export interface DeviceType {
  /** Peak arithmetic rate per dtype; a dtype absent here cannot run on the device. */
  readonly peakFlops: Readonly<Partial<Record<DType, number>>>;
  readonly memoryBytes: number;
  readonly memoryBandwidth: number;
  /** Fixed cost of starting one kernel (launch, scheduling), added to every shard. */
  readonly launchOverhead: number;
}

/** A point-to-point link class: bandwidth per direction per device port, and latency per message. */
export interface Link {
  readonly bandwidth: number;
  readonly latency: number;
}

/** One device of the cluster. */
export interface Device {
  readonly id: string;
  readonly host: string;
  readonly type: string;
}

/** A host: its devices share the intra-host link class. */
export interface Host {
  readonly id: string;
  readonly devices: readonly string[];
}

/** A link class override: inside one host (`hosts` of length 1) or between two hosts. */
export interface LinkOverride {
  readonly hosts: readonly [string] | readonly [string, string];
  readonly link: Link;
}

/** A cluster, expanded: every host and device listed, ids `host.dK`. */
export interface Cluster {
  readonly name: string;
  readonly description?: string;
  readonly sources: readonly string[];
  readonly deviceTypes: Readonly<Record<string, DeviceType>>;
  readonly hosts: readonly Host[];
  readonly devices: readonly Device[];
  readonly intraHost: Link;
  readonly interHost: Link;
  readonly overrides: readonly LinkOverride[];
}

/** Which class of link connects two devices. */
export type LinkClass = "local" | "intra" | "inter";

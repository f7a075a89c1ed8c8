import type { Cluster, Device, Link, LinkClass } from "./cluster.js";

/** The link between two devices and its class (`local` for a device to itself: no cost). */
export function linkBetween(cluster: Cluster, from: Device, to: Device): { cls: LinkClass; link: Link } {
  if (from.id === to.id) return { cls: "local", link: { bandwidth: Number.POSITIVE_INFINITY, latency: 0 } };
  if (from.host === to.host) {
    const o = cluster.overrides.find((x) => x.hosts.length === 1 && x.hosts[0] === from.host);
    return { cls: "intra", link: o?.link ?? cluster.intraHost };
  }
  const o = cluster.overrides.find(
    (x) =>
      x.hosts.length === 2 &&
      ((x.hosts[0] === from.host && x.hosts[1] === to.host) ||
        (x.hosts[0] === to.host && x.hosts[1] === from.host)),
  );
  return { cls: "inter", link: o?.link ?? cluster.interHost };
}

/** Devices by id, for lookups in hot loops. */
export function deviceIndex(cluster: Cluster): ReadonlyMap<string, Device> {
  return new Map(cluster.devices.map((d) => [d.id, d]));
}

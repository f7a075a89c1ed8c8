import { TesseraError } from "../base/errors.js";
import type { Cluster } from "../cluster/cluster.js";

/**
 * The first `n` device ids of `cluster`, in cluster order (all of them when `n` is absent).
 * Throws `invalid_device_count` unless `n` is an integer in `[1, cluster.devices.length]`.
 */
export function clusterDevices(cluster: Cluster, n?: number): string[] {
  const all = cluster.devices.map((d) => d.id);
  const count = n ?? all.length;
  if (!Number.isInteger(count) || count < 1 || count > all.length) {
    throw new TesseraError(
      "invalid_device_count",
      `asked for ${count} devices, but cluster '${cluster.name}' has ${all.length}: give an integer from 1 to ${all.length}`,
      { cluster: cluster.name, expected: all.length, found: count },
    );
  }
  return all.slice(0, count);
}

import { TesseraError } from "../base/errors.js";
import type { Cluster } from "../cluster/cluster.js";
import type { Plan } from "../plan/plan.js";

/**
 * Which cluster device each plan device runs on. When every plan device name is a cluster
 * device id (`node0.d3`) each maps to itself; when none is (hand-written plans with `d0`, `d1`,
 * …) they map by position onto the cluster's devices in cluster order, so `d0 → node0.d0`,
 * `d1 → node0.d1`, and a plan for 16 devices on 8-GPU hosts spans two hosts.
 *
 * Throws `too_many_devices` when the plan lists more devices than the cluster has, and
 * `unmapped_device` when some names are cluster ids and others are not (a positional mapping
 * would silently move the named ones).
 */
export function mapDevices(plan: Pick<Plan, "devices">, cluster: Cluster): Readonly<Record<string, string>> {
  const ids = new Set(cluster.devices.map((d) => d.id));
  const named = plan.devices.filter((d) => ids.has(d));
  if (named.length === plan.devices.length) return Object.fromEntries(plan.devices.map((d) => [d, d]));
  if (named.length > 0) {
    const other = plan.devices.find((d) => !ids.has(d))!;
    throw new TesseraError(
      "unmapped_device",
      `the plan names cluster device '${named[0]}' but also '${other}', which cluster '${cluster.name}' does not have: name all devices by cluster id or none`,
      { cluster: cluster.name, device: other, clusterDevice: named[0]! },
    );
  }
  if (plan.devices.length > cluster.devices.length) {
    throw new TesseraError(
      "too_many_devices",
      `the plan uses ${plan.devices.length} devices but cluster '${cluster.name}' has ${cluster.devices.length}`,
      { cluster: cluster.name, expected: cluster.devices.length, found: plan.devices.length },
    );
  }
  return Object.fromEntries(plan.devices.map((d, i) => [d, cluster.devices[i]!.id]));
}

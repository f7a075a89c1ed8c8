import type { Cluster } from "../../cluster/cluster.js";
import type { Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { Plan } from "../../plan/plan.js";
import { clusterDevices } from "../cluster-devices.js";

/** The baseline of no parallelism: every operation whole on the cluster's first device. */
export function singleDevicePlan(program: Program, cluster: Cluster): Plan {
  return makePlan(program, { devices: clusterDevices(cluster, 1) });
}

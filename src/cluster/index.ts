/** The cluster model: devices, hosts, links and presets. */
export type {
  Cluster,
  CopyCost,
  Device,
  DeviceType,
  ExecutorKind,
  ExecutorOverheads,
  Host,
  InputCopyCost,
  KernelTable,
  Link,
  LinkClass,
  LinkOverride,
} from "./cluster.js";
export { deviceIndex, linkBetween } from "./links.js";
export { loadCluster, presetCluster } from "./load-cluster.js";
export {
  type ClusterJson,
  type ClusterValidation,
  clusterToJson,
  parseCluster,
  validateCluster,
} from "./parse-cluster.js";
export { CLUSTER_PRESETS, presetNames } from "./presets.js";

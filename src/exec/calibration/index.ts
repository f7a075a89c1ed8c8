/** Calibration: measuring this machine as the local executor uses it, and the cluster file of the figures. */
export { type AssembleProbe, probeAssemble } from "./assemble-probe.js";
export {
  CALIBRATED_DTYPES,
  type CalibrateOptions,
  type Calibration,
  calibrate,
  checkCalibrateOptions,
  MAX_CALIBRATION_WORKERS,
  type MachineInfo,
} from "./calibrate.js";
export { CALIBRATED_CLUSTER_NAME, calibratedCluster, measuredKernelTable } from "./calibrated-cluster.js";
export {
  type ExecutorProbe,
  type KernelClassProbe,
  type KernelSample,
  probeExecutor,
  probeKernelClasses,
} from "./executor-probe.js";
export { fastest } from "./fastest.js";
export { KERNEL_CLASSES, type KernelClass, kernelProgram } from "./kernel-grid.js";
export {
  type BandwidthProbe,
  type KernelTiming,
  type MatmulProbe,
  probeLaunchOverhead,
  probeMatmul,
  probeMemoryBandwidth,
  timeOperation,
} from "./kernel-probe.js";
export { median } from "./median.js";
export { probeTransfers, type TransferProbe, type TransferProbeOptions } from "./transfer-probe.js";

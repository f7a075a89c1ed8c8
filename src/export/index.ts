/** Export: plans as programs for other runtimes (a torch.distributed script). */

export type { CollectiveGroup, CollectivePlan } from "./collective-plan.js";
export {
  type DeviceTraffic,
  exportTorch,
  type TorchExport,
  type TorchExportOptions,
  writeTorchExport,
} from "./export-torch.js";
export type { TorchLowering, TorchShard } from "./torch-lowering.js";
export { TORCH_LOWERINGS, torchLoweringFor } from "./torch-lowerings.js";

import type { ClusterJson } from "./parse-cluster.js";

const A100_SOURCES = [
  "NVIDIA A100 Tensor Core GPU datasheet (SXM4 80GB): FP32 19.5 TFLOP/s (TF32 tensor core 156 TFLOP/s when enabled), FP64 tensor core 19.5 TFLOP/s, INT32 on the CUDA cores at the FP32 rate, 80 GB HBM2e (81,920 MiB = 85,899,345,920 bytes, as nvidia-smi reports it) at 2,039 GB/s, NVLink 600 GB/s total (300 GB/s per direction)",
  "Precision priced: float32 at the strict FP32 rate (19.5 TFLOP/s), not TF32: Tessera's float32 means IEEE single precision, which TF32 tensor cores do not compute (10-bit mantissa products)",
  "NVIDIA DGX A100 system architecture: 8 A100 on 6 NVSwitches; 8 single-port ConnectX-6 HDR InfiniBand (200 Gb/s = 25 GB/s) compute NICs, one per GPU",
  "Latencies: NVLink/NVSwitch ~2 µs and HDR InfiniBand ~6 µs end to end for small messages (NCCL-level), CUDA kernel launch ~5 µs: typical published measurements, to be replaced by calibration where hardware is at hand",
];

const A100 = {
  // float32 at the strict FP32 rate: cuBLAS does not use TF32 tensor cores for FP32 GEMM unless
  // asked to (frameworks opt in per program), so the safe peak is the CUDA-core one. float64
  // runs on FP64 tensor cores; int32 at the CUDA-core rate.
  peakFlops: { float32: 19.5e12, float64: 19.5e12, int32: 19.5e12 },
  // 81,920 MiB = 85,899,345,920 bytes: the datasheet's "80 GB" is the binary size.
  memoryBytes: 81920 * 2 ** 20,
  memoryBandwidth: 2.039e12,
  launchOverhead: 5e-6,
};

const NVLINK = { bandwidth: 300e9, latency: 2e-6 };
const HDR_IB = { bandwidth: 25e9, latency: 6e-6 };

function a100Cluster(name: string, hosts: number, description: string): ClusterJson {
  return {
    version: 1,
    kind: "cluster",
    name,
    description,
    sources: A100_SOURCES,
    deviceTypes: { a100: A100 },
    hosts: [
      hosts === 1
        ? { id: "node0", deviceType: "a100", devices: 8 }
        : { id: "node", deviceType: "a100", devices: 8, count: hosts },
    ],
    intraHost: NVLINK,
    interHost: HDR_IB,
  };
}

/** The built-in cluster presets, as documents (see `schemas/cluster.schema.json`). */
export const CLUSTER_PRESETS: Readonly<Record<string, ClusterJson>> = {
  "dgx-a100": a100Cluster(
    "dgx-a100",
    1,
    "one DGX A100 host: 8 A100-SXM4-80GB on NVLink/NVSwitch; float32 at the strict FP32 rate (no TF32)",
  ),
  "a100-8x8": a100Cluster(
    "a100-8x8",
    8,
    "8 DGX A100 hosts (64 GPUs) on an HDR InfiniBand fabric, one 200 Gb/s NIC per GPU; float32 at the strict FP32 rate (no TF32)",
  ),
  "a100-64x8": a100Cluster(
    "a100-64x8",
    64,
    "64 DGX A100 hosts (512 GPUs) on an HDR InfiniBand fabric, one 200 Gb/s NIC per GPU; float32 at the strict FP32 rate (no TF32)",
  ),
  local: {
    version: 1,
    kind: "cluster",
    name: "local",
    description:
      "this machine's worker threads as devices (2 cores): figures measured once on the development machine",
    sources: [
      "Measured on the development machine (Intel Xeon, 2 cores, Node 20, onnxruntime-node 1.30 CPU): ~100 GFLOP/s float32 matmul per thread; worker-to-worker region transfers over MessagePort with transferable buffers",
    ],
    deviceTypes: {
      "cpu-thread": {
        peakFlops: { float32: 100e9, float64: 50e9, int32: 25e9 },
        memoryBytes: 12 * 2 ** 30,
        memoryBandwidth: 10e9,
        launchOverhead: 20e-6,
      },
    },
    hosts: [{ id: "local", deviceType: "cpu-thread", devices: 2 }],
    intraHost: { bandwidth: 2e9, latency: 50e-6 },
    interHost: { bandwidth: 1e9, latency: 100e-6 },
  },
};

/** The names of the built-in presets. */
export function presetNames(): string[] {
  return Object.keys(CLUSTER_PRESETS);
}
